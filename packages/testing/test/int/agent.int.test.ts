import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { useTestEnv } from "../../src/index.js";

const modulePath = fileURLToPath(new URL("./fixtures/agent-module.mjs", import.meta.url));

describe("agent", () => {
  const env = useTestEnv("agent");

  it("serves calls from inside its namespace and reports remote errors", async () => {
    const host = await env().netns("host");
    const agent = await env().startAgent(host, modulePath);
    expect(await agent.call("add", 2, 3)).toBe(5);
    await expect(agent.call("fail")).rejects.toMatchObject({ message: "deliberate failure", code: "DELIBERATE" });
    await expect(agent.call("missing")).rejects.toThrow(/no function missing/);
    // The listener lives in the agent's namespace: reachable from there, not from elsewhere.
    const port = await agent.call<number>("listen", "127.0.0.1", 0);
    expect(await env().sendAndReceive(host, { proto: "tcp", address: "127.0.0.1", port, payload: "x" })).toBe("agent-server");
    const other = await env().netns("other");
    expect(await env().canReach(other, { proto: "tcp", address: "127.0.0.1", port })).toBe(false);
    await agent.stop();
  });

  it("enters only the network namespace: namespaces the agent creates are visible to the test", async () => {
    const host = await env().netns("host");
    const agent = await env().startAgent(host, modulePath);
    const name = `${env().prefix}-made`;
    env().adoptNetns(name);
    const path = await agent.call<string>("makeNetns", name);
    const { existsSync } = await import("node:fs");
    expect(existsSync(path)).toBe(true);
    await agent.stop();
  });
});
