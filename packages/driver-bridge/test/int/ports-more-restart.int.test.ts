// A daemon restart with the userland proxy OFF (reference §8.3 #61 TestPortMappingRestore, plus
// live connections): established TCP connections through a published port (IPv4, IPv6, and
// 127.0.0.1 from the host) keep working while the agent's stack is closed and reopened on the
// same store (conntrack carries them; nothing in netd's process does), the same ephemeral
// host port comes back (in inspect, held by a socket again, and not handed out to anyone else),
// and new connections work afterwards.
import { describe, expect, it } from "vitest";
import { useTestEnv } from "@netd/testing";
import { HOST4, HOST6, makeWorld, tcpPb } from "../support/ports-world.js";
import { bindingsOf, startLineServer, startTalker } from "../support/ports-more.js";

describe("published ports across a restart, proxy off", () => {
  const env = useTestEnv("bridge-restart");

  it("TestPortMappingRestore (proxy off): live connections survive, the same host port is restored", async () => {
    const w = await makeWorld(env(), { userlandProxy: false });
    await w.network("n1", 90, true, true);
    const c1 = await w.sandbox("c1", [tcpPb(80)]);
    const ep = await w.connect("n1", "c1");
    const before = await bindingsOf(w.agent, ep.id);
    const port = before[0]!.hostPort;
    expect(before.map((b) => `${b.hostIp}:${b.hostPort}`).sort()).toEqual([`0.0.0.0:${port}`, `:::${port}`]);
    await startLineServer(env(), c1.ns, "::", 80);
    // From the remote over both families, and from the host to 127.0.0.1: with the proxy on, the
    // last one would run through the agent's own proxy socket and break with the restart.
    const talkers = [
      await startTalker(env(), w.remote, HOST4, port),
      await startTalker(env(), w.remote, HOST6, port),
      await startTalker(env(), w.host, "127.0.0.1", port),
    ];
    for (const t of talkers) await t.more(3);

    await w.agent.call("restart");
    // While the stack was down and after it came back, the conversations went on.
    for (const t of talkers) await t.more(10);
    for (const t of talkers) {
      expect(t.broken()).toBeNull();
      const seq = t.answered();
      expect(seq).toEqual(seq.map((_, i) => i + 1)); // nothing lost, nothing out of order
    }

    expect(await bindingsOf(w.agent, ep.id)).toEqual(before);
    expect(await env().sendAndReceive(w.remote, { proto: "tcp", address: HOST4, port, payload: "new4" })).toBe("echo:new4");
    expect(await env().sendAndReceive(w.remote, { proto: "tcp", address: HOST6, port, payload: "new6" })).toBe("echo:new6");
    // The port is held again by the restored reservation: another process cannot take it...
    await expect(env().startEchoServer(w.host, { proto: "tcp", address: "0.0.0.0", port })).rejects.toThrow();
    // ...and netd's allocator does not hand it to the next container.
    await w.sandbox("c2", [tcpPb(80)]);
    const ep2 = await w.connect("n1", "c2");
    const p2 = (await bindingsOf(w.agent, ep2.id)).map((b) => b.hostPort);
    expect(p2).toHaveLength(2);
    expect(p2).not.toContain(port);

    for (const t of talkers) await t.more(2);
    for (const t of talkers) await t.process.stop();
    await w.agent.call("close");
  });
});
