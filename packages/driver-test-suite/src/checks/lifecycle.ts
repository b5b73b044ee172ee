/** create/delete idempotence and join/leave order. */
import type { ConformanceOptions, Finding } from "../types.js";
import { selectGateways, type Attachment, type Harness } from "../harness/harness.js";
import { diff, showDiff } from "../harness/observe.js";
import { Findings, scenario, step } from "./scenario.js";

export async function checkCreateDelete(options: ConformanceOptions): Promise<Finding[]> {
  const f = new Findings("create-delete");
  await scenario(options, f, "create then delete a network", async (h) => {
    const before = await h.snapshot();
    const net = h.network(0);
    await step("createNetwork", () => h.call((ctx) => h.driver.createNetwork(ctx, net)));
    await step("deleteNetwork", () => h.call((ctx) => h.driver.deleteNetwork(ctx, net)));
    const left = diff(before, await h.snapshot());
    if (left.length > 0) f.add(`deleteNetwork did not remove everything createNetwork made; remove all of it (derive names from the network id):\n${showDiff(left)}`);
    await step("deleteNetwork a second time (it must be idempotent: 'already gone' is success)", () => h.call((ctx) => h.driver.deleteNetwork(ctx, net)));
  });
  await scenario(options, f, "delete a network that was never created (core does this after a crash during createNetwork)", async (h) => {
    const before = await h.snapshot();
    await step("deleteNetwork", () => h.call((ctx) => h.driver.deleteNetwork(ctx, h.network(0))));
    const changed = diff(before, await h.snapshot());
    if (changed.length > 0) f.add(`deleteNetwork of a network that was never created changed the kernel:\n${showDiff(changed)}`);
  });
  await scenario(options, f, "two networks, deleted in creation order", async (h) => {
    const before = await h.snapshot();
    const a = h.network(0);
    const b = h.network(1);
    await step("createNetwork (first)", () => h.call((ctx) => h.driver.createNetwork(ctx, a)));
    await step("createNetwork (second network of the same driver)", () => h.call((ctx) => h.driver.createNetwork(ctx, b)));
    await step("deleteNetwork (first)", () => h.call((ctx) => h.driver.deleteNetwork(ctx, a)));
    await step("deleteNetwork (second)", () => h.call((ctx) => h.driver.deleteNetwork(ctx, b)));
    const left = diff(before, await h.snapshot());
    if (left.length > 0) f.add(`after creating two networks and deleting both, the kernel still differs:\n${showDiff(left)}`);
  });
  return f.list;
}

/** Joins `a` in a sandbox as core does: join, then the gateway change computed with it. */
export async function joinAll(h: Harness, attachments: Attachment[], next: Attachment): Promise<void> {
  attachments.push(next);
  const { gw4, gw6 } = selectGateways(attachments);
  const mine = attachments.filter((x) => x.sandbox.id === next.sandbox.id).map((x) => x.endpoint);
  await step("onGatewayChange after join", () => h.gatewayChange(next.sandbox, gw4, gw6, mine));
}

/** Leaves as core does: the gateway change computed without it (its endpoint still listed), then leave. */
export async function leaveOne(h: Harness, attachments: Attachment[], gone: Attachment): Promise<void> {
  const rest = attachments.filter((x) => x !== gone);
  const { gw4, gw6 } = selectGateways(rest.filter((x) => x.sandbox.id === gone.sandbox.id));
  const mine = attachments.filter((x) => x.sandbox.id === gone.sandbox.id).map((x) => x.endpoint);
  await step("onGatewayChange before leave", () => h.gatewayChange(gone.sandbox, gw4, gw6, mine));
  await step("leave/deleteEndpoint", () => h.detach(gone));
  attachments.splice(attachments.indexOf(gone), 1);
}

export async function checkJoinLeave(options: ConformanceOptions): Promise<Finding[]> {
  const f = new Findings("join-leave");
  await scenario(options, f, "join and leave one endpoint", async (h) => {
    const before = await h.snapshot();
    const net = h.network(0);
    await step("createNetwork", () => h.call((ctx) => h.driver.createNetwork(ctx, net)));
    const sb = await h.sandbox();
    const inSandboxBefore = await h.snapshot();
    const a = await step("createEndpoint/join", () => h.attach(net, h.endpoint(net, 0), sb));
    const link = await h.recorder.kernel.links.get(sb.netns, a.result.interfaceName);
    if (!link) f.add(`join returned interfaceName '${a.result.interfaceName}' but no such link exists in the sandbox's namespace ${sb.netns}: move the interface there (and rename it) before returning.`);
    else {
      const addrs = (await h.recorder.kernel.addresses.list(sb.netns, a.result.interfaceName)).map((x) => x.address);
      for (const want of [a.endpoint.ipv4, a.endpoint.ipv6]) {
        if (want && !addrs.includes(want)) f.add(`after join, ${a.result.interfaceName} in the sandbox lacks the endpoint's address ${want} (has ${addrs.join(", ") || "none"}).`);
      }
      if (!link.up) f.add(`after join, ${a.result.interfaceName} in the sandbox is down: bring it up in join.`);
    }
    const attachments: Attachment[] = [];
    await joinAll(h, attachments, a);
    await leaveOne(h, attachments, a);
    const left = diff(inSandboxBefore, await h.snapshot());
    if (left.length > 0) f.add(`after leave and deleteEndpoint the kernel still holds what join or onGatewayChange made for the endpoint:\n${showDiff(left)}`);
    await step("leave a second time (it must be idempotent: core repeats it after a crash)", () => h.call((ctx) => h.driver.leave(ctx, net, a.endpoint, sb)));
    await step("deleteNetwork", () => h.call((ctx) => h.driver.deleteNetwork(ctx, net)));
    const rest = diff(before, await h.snapshot()).filter((l) => !l.includes(sb.netns));
    if (rest.length > 0) f.add(`after the endpoint left and the network was deleted, the kernel still differs:\n${showDiff(rest)}`);
  });
  await scenario(options, f, "two endpoints of two networks in one sandbox, leaving in join order", async (h) => {
    const n0 = h.network(0);
    const n1 = h.network(1);
    await step("createNetwork", () => h.call((ctx) => h.driver.createNetwork(ctx, n0)));
    await step("createNetwork (second)", () => h.call((ctx) => h.driver.createNetwork(ctx, n1)));
    const sb = await h.sandbox();
    const before = await h.snapshot();
    const attachments: Attachment[] = [];
    const a = await step("join (first network)", () => h.attach(n0, h.endpoint(n0, 0), sb));
    await joinAll(h, attachments, a);
    const b = await step("join (second network, same sandbox)", () => h.attach(n1, h.endpoint(n1, 0), sb));
    if (b.result.interfaceName === a.result.interfaceName) f.add(`two endpoints in one sandbox both got interface name '${a.result.interfaceName}': choose a name not used in the sandbox (or honour com.docker.network.endpoint.ifname).`);
    await joinAll(h, attachments, b);
    await leaveOne(h, attachments, a);
    await leaveOne(h, attachments, b);
    const left = diff(before, await h.snapshot());
    if (left.length > 0) f.add(`after both endpoints left (first-joined first), the kernel still differs:\n${showDiff(left)}`);
  });
  return f.list;
}
