/**
 * Gateway changes: release before acquire across drivers, and identical events as no-ops.
 * "Another driver's endpoint" is simulated by an id no endpoint of this driver has.
 */
import type { Kernel, RouteSpec } from "@netd/driverapi";
import type { ConformanceOptions, Finding } from "../types.js";
import { selectGateways, type Attachment } from "../harness/harness.js";
import { describeCall, isAcquiring, type RecordedCall } from "../harness/recorder.js";
import { joinAll, leaveOne } from "./lifecycle.js";
import { Findings, scenario, step } from "./scenario.js";

const FOREIGN = "f".repeat(64);

export async function checkGatewayChange(options: ConformanceOptions): Promise<Finding[]> {
  const f = new Findings("gateway-change");
  const acquiringInRelease = (calls: readonly RecordedCall[], when: string): void => {
    const bad = calls.filter(isAcquiring);
    if (bad.length > 0) {
      f.add(
        `${when}, onGatewayChange added things in the release phase: ${bad.map(describeCall).join("; ")}. ` +
          "Only remove in phase 'release' and add in phase 'acquire': every driver releases before any acquires, so a route or host port another driver frees in the same change is free when you add yours.",
      );
    }
  };

  await scenario(options, f, "an identical gateway change delivered twice", async (h) => {
    const net = h.network(0);
    await step("createNetwork", () => h.call((ctx) => h.driver.createNetwork(ctx, net)));
    const sb = await h.sandbox();
    const attachments: Attachment[] = [];
    const a = await step("join", () => h.attach(net, h.endpoint(net, 0), sb));
    await joinAll(h, attachments, a);
    const { gw4, gw6 } = selectGateways(attachments);
    const again = await step("onGatewayChange (same event again)", () => h.gatewayChange(sb, gw4, gw6, [a.endpoint]));
    const calls = [...again.release, ...again.acquire];
    if (calls.length > 0) {
      f.add(
        `onGatewayChange reacted to an event identical to the previous one with ${calls.length} kernel call(s): ${calls.map(describeCall).join("; ")}. ` +
          "The event describes the state, not a command: compare what it implies with what you applied last (keep that in ctx.state) and apply only the difference, so a repeated event is a no-op.",
      );
    }
    await leaveOne(h, attachments, a);
    await step("deleteNetwork", () => h.call((ctx) => h.driver.deleteNetwork(ctx, net)));
  });

  await scenario(options, f, "the gateway moves to another driver's endpoint and back", async (h) => {
    const net = h.network(0);
    await step("createNetwork", () => h.call((ctx) => h.driver.createNetwork(ctx, net)));
    const sb = await h.sandbox();
    const attachments: Attachment[] = [];
    const a = await step("join", () => h.attach(net, h.endpoint(net, 0), sb));
    const first = selectGateways([a]);
    await step("onGatewayChange after join", async () => {
      attachments.push(a);
      const calls = await h.gatewayChange(sb, first.gw4, first.gw6, [a.endpoint]);
      acquiringInRelease(calls.release, "on the first gateway change after join");
    });
    const mine = await defaultRoutes(h.recorder.kernel, sb.netns);
    if (first.gw4 === null && first.gw6 === null) {
      if (mine.length > 0) f.add(`the endpoint is not a gateway (join reported no gateway and no forceGateway) yet the sandbox has default routes: ${mine.map(routeText).join(", ")}.`);
    } else {
      const away = await step("onGatewayChange (gateway now another driver's endpoint)", () =>
        h.gatewayChange(sb, first.gw4 && FOREIGN, first.gw6 && FOREIGN, [a.endpoint], async () => {
          const still = await defaultRoutes(h.recorder.kernel, sb.netns);
          if (still.length > 0) {
            f.add(
              `after phase 'release' of a change that made another driver's endpoint the gateway, the sandbox still has ${still.map(routeText).join(", ")}. ` +
                "Remove your default route (and what else belongs to being the gateway) in phase 'release': the new gateway's driver adds its default route in 'acquire' and would fail with ROUTE_EXISTS.",
            );
          }
        }),
      );
      acquiringInRelease(away.release, "when the gateway moved to another driver's endpoint");
      const back = await step("onGatewayChange (gateway back to this endpoint)", () => h.gatewayChange(sb, first.gw4, first.gw6, [a.endpoint]));
      acquiringInRelease(back.release, "when the gateway came back to this driver's endpoint");
      const again = await defaultRoutes(h.recorder.kernel, sb.netns);
      if (again.map(routeText).join() !== mine.map(routeText).join()) {
        f.add(`when the gateway came back to this driver's endpoint, the sandbox's default routes are ${again.map(routeText).join(", ") || "none"} instead of ${mine.map(routeText).join(", ") || "none"} as after join: apply what the event implies in phase 'acquire'.`);
      }
    }
    await leaveOne(h, attachments, a);
    const left = await defaultRoutes(h.recorder.kernel, sb.netns);
    if (left.length > 0) f.add(`after leave the sandbox still has default routes ${left.map(routeText).join(", ")}.`);
    await step("deleteNetwork", () => h.call((ctx) => h.driver.deleteNetwork(ctx, net)));
  });
  return f.list;
}

async function defaultRoutes(kernel: Kernel, netns: string): Promise<RouteSpec[]> {
  if (!(await kernel.netns.exists(netns))) return [];
  const all = [...(await kernel.routes.list(netns, 4)), ...(await kernel.routes.list(netns, 6))];
  return all.filter((r) => r.to === "default" && (r.table === undefined || r.table === 254));
}

function routeText(r: RouteSpec): string {
  return `default${r.family === 6 ? " (IPv6)" : ""}${r.via ? ` via ${r.via}` : ""}${r.dev ? ` dev ${r.dev}` : ""}`;
}
