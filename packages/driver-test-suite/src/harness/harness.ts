/**
 * One scenario's world as core would drive it: a fresh driver, a Kernel wrapped for fault
 * injection (`interruptKernel` from @netd/kernel-fake) and recording, a staged state store,
 * builders for networks, endpoints and sandboxes, and the composite steps core performs
 * (attach = createEndpoint + join, detach = leave + deleteEndpoint, a gateway change in two
 * phases).
 */
import { randomBytes } from "node:crypto";
import { canonicalIp } from "@netd/driverapi";
import type { Driver, DriverContext, DriverRestoreSnapshot, EndpointInfo, JoinResult, NetworkInfo, SandboxInfo } from "@netd/driverapi";
import { createFakeKernel, interruptKernel, type InterruptingKernel } from "@netd/kernel-fake";
import type { ConformanceOptions, ConformanceWorld } from "../types.js";
import { observe, type Observation } from "./observe.js";
import { RecordingKernel, type RecordedCall } from "./recorder.js";
import { StateBackend } from "./state.js";

/** A joined endpoint as the harness tracks it. */
export interface Attachment {
  readonly network: NetworkInfo;
  readonly endpoint: EndpointInfo;
  readonly sandbox: SandboxInfo;
  readonly result: JoinResult;
}

/** The calls each phase of a gateway change made. */
export interface PhaseCalls {
  readonly release: RecordedCall[];
  readonly acquire: RecordedCall[];
}

export class Harness {
  readonly log: string[] = [];
  private readonly state = new StateBackend();
  private readonly sandboxes: string[] = [];
  private readonly extras: Partial<Pick<DriverContext, "ports" | "portReserver">>;
  private sandboxCount = 0;

  private constructor(
    readonly options: ConformanceOptions,
    public driver: Driver,
    private readonly world: ConformanceWorld,
    readonly recorder: RecordingKernel,
    readonly interrupt: InterruptingKernel,
  ) {
    this.extras = options.context?.() ?? {};
  }

  /** A new world and driver, prepared and restored (empty) as at daemon start. */
  static async open(options: ConformanceOptions): Promise<Harness> {
    const world = await (options.makeWorld ?? fakeWorld)();
    try {
      await options.prepare?.(world.kernel, world.hostNetns);
      const recorder = new RecordingKernel(world.kernel);
      const h = new Harness(options, await options.makeDriver(), world, recorder, interruptKernel(recorder.kernel));
      h.pristine = await h.snapshot();
      if (h.driver.restore) await h.call((ctx) => h.driver.restore!(ctx, { networks: [], endpoints: [] }));
      return h;
    } catch (e) {
      await world.dispose();
      throw e;
    }
  }

  /**
   * A daemon restart: a new driver instance (the old one may still hang in a frozen call)
   * restored from the committed networks and endpoints, on the same kernel and state.
   */
  async restart(snapshot: DriverRestoreSnapshot): Promise<void> {
    this.interrupt.disarm();
    this.driver = await this.options.makeDriver();
    if (this.driver.restore) await this.call((ctx) => this.driver.restore!(ctx, snapshot));
  }

  /** The kernel before the driver's `restore` ran. */
  pristine: Observation = [];

  get hostNetns(): string {
    return this.world.hostNetns;
  }

  /** Runs one hook as one operation: its state writes commit only when it succeeds. */
  async call<T>(fn: (ctx: DriverContext) => Promise<T>): Promise<T> {
    const op = this.state.begin();
    const result = await fn(this.context(op.store));
    op.commit();
    return result;
  }

  /** A context whose state writes are never committed (a crashed operation). */
  context(state = this.state.begin().store): DriverContext {
    const push = (m: string): void => void this.log.push(m);
    return { kernel: this.interrupt.kernel, hostNetns: this.world.hostNetns, log: { debug() {}, info: push, warn: push, error: push }, state, ...this.extras };
  }

  network(index: number): NetworkInfo {
    const x = this.options.subnetOctet ?? 199;
    const opts = typeof this.options.networkOptions === "function" ? this.options.networkOptions(index) : (this.options.networkOptions ?? {});
    const caps = this.driver.capabilities;
    return {
      id: hex(),
      name: `cf-net${index}`,
      driver: this.driver.name,
      internal: this.options.internal ?? false,
      ipv4: caps.supportsIPv4 ? { subnet: `10.${x}.${index}.0/24`, gateway: `10.${x}.${index}.1`, ipRange: null } : null,
      ipv6: caps.supportsIPv6 ? { subnet: `${canon(`fd00:${x}:${index}::`)}/64`, gateway: canon(`fd00:${x}:${index}::1`), ipRange: null } : null,
      options: { ...opts },
      labels: {},
    };
  }

  endpoint(network: NetworkInfo, host: number): EndpointInfo {
    const v4 = network.ipv4 ? `${network.ipv4.subnet.split(".").slice(0, 3).join(".")}.${10 + host}/24` : null;
    const v6 = network.ipv6 ? `${canon(`${network.ipv6.subnet.split("/")[0]}${(10 + host).toString(16)}`)}/64` : null;
    return { id: hex(), networkId: network.id, ipv4: v4, ipv6: v6, mac: null, options: {} };
  }

  /** A new sandbox namespace (made with `kernel.netns.create`, deleted by {@link close}). */
  async sandbox(): Promise<SandboxInfo> {
    const prefix = typeof this.options.netnsPrefix === "function" ? this.options.netnsPrefix() : (this.options.netnsPrefix ?? "cf");
    const name = `${prefix}-sb${this.sandboxCount++}`;
    const netns = await this.world.kernel.netns.create(name);
    this.sandboxes.push(netns);
    return { id: hex(), name, netns, portBindings: [], exposedPorts: [] };
  }

  /** createEndpoint (when the driver has it, taking its MAC) then join. */
  async attach(network: NetworkInfo, endpoint: EndpointInfo, sandbox: SandboxInfo): Promise<Attachment> {
    let ep = endpoint;
    if (this.driver.createEndpoint) {
      const created = await this.call((ctx) => this.driver.createEndpoint!(ctx, network, endpoint));
      if (created && created.mac) ep = { ...endpoint, mac: created.mac };
    }
    const result = await this.call((ctx) => this.driver.join(ctx, network, ep, sandbox));
    return { network, endpoint: ep, sandbox, result };
  }

  /** leave then deleteEndpoint (when the driver has it). */
  async detach(a: Attachment): Promise<void> {
    await this.call((ctx) => this.driver.leave(ctx, a.network, a.endpoint, a.sandbox));
    if (this.driver.deleteEndpoint) await this.call((ctx) => this.driver.deleteEndpoint!(ctx, a.network, a.endpoint));
  }

  /** Both phases of one gateway change, when the driver listens; returns each phase's calls. */
  async gatewayChange(sandbox: SandboxInfo, gw4: string | null, gw6: string | null, endpoints: readonly EndpointInfo[], between?: () => Promise<void>): Promise<PhaseCalls> {
    const driver = this.driver;
    if (!driver.onGatewayChange) return { release: [], acquire: [] };
    const m0 = this.recorder.calls.length;
    await this.call((ctx) => driver.onGatewayChange!(ctx, { phase: "release", sandbox, gw4, gw6, endpoints }));
    const m1 = this.recorder.calls.length;
    await between?.();
    await this.call((ctx) => driver.onGatewayChange!(ctx, { phase: "acquire", sandbox, gw4, gw6, endpoints }));
    return { release: this.recorder.calls.slice(m0, m1), acquire: this.recorder.since(m1) };
  }

  /** The kernel as the driver could have changed it: host, sandboxes, every namespace and table it named. */
  snapshot(): Promise<Observation> {
    return observe(this.world.kernel, [this.world.hostNetns, ...this.sandboxes, ...this.recorder.namespaces], this.recorder.tables.values());
  }

  /** Deletes the sandboxes and disposes the world. */
  async close(): Promise<void> {
    this.interrupt.disarm();
    for (const ns of this.sandboxes) await this.world.kernel.netns.delete(ns).catch(() => undefined);
    await this.world.dispose();
  }
}

/** Which endpoint a sandbox's gateway is per family, as core picks it among `attachments`. */
export function selectGateways(attachments: readonly Attachment[]): { gw4: string | null; gw6: string | null } {
  const pick = (family: 4 | 6): string | null => {
    const a = attachments.find(({ network, endpoint, result }) => {
      if (network.internal) return false;
      if (family === 4) return endpoint.ipv4 !== null && (result.gateway4 !== null || result.forceGateway4 === true);
      return endpoint.ipv6 !== null && (result.gateway6 !== null || result.forceGateway6 === true);
    });
    return a?.endpoint.id ?? null;
  };
  return { gw4: pick(4), gw6: pick(6) };
}

function canon(ip: string): string {
  return canonicalIp(ip) ?? ip;
}

function hex(): string {
  return randomBytes(32).toString("hex");
}

async function fakeWorld(): Promise<ConformanceWorld> {
  const kernel = createFakeKernel();
  return Promise.resolve({ kernel, hostNetns: kernel.hostNetns, dispose: () => kernel.close() });
}
