/**
 * Unit-test harness for API-shape tests: the real Controller over the recording fake kernel
 * and a memory store, with a tiny in-test driver named "bridge" that has no kernel effects
 * (the end-to-end tests use the real bridge driver). Requests go through `app.inject`.
 */
import type { Driver, OperationalBinding, SandboxInfo } from "@netd/driverapi";
import { API_VERSION as DRIVER_API } from "@netd/driverapi";
import { createFakeKernel } from "@netd/kernel-fake";
import type { FakeKernel } from "@netd/kernel-fake";
import { Controller, createMemoryStore } from "@netd/libnet-core";
import type { Store } from "@netd/libnet-core";
import type { ApiApp } from "../api/app-types.js";
import { EventBus } from "../api/events.js";
import { Metrics } from "../api/metrics.js";
import { createApiServer } from "../api/server.js";

/** A driver that only remembers what it was told, reporting requested ports as in effect. */
export function shapeDriver(): Driver {
  const joined = new Map<string, { sandbox: SandboxInfo; ipv4: string | null }>();
  return {
    name: "bridge",
    apiVersion: DRIVER_API,
    capabilities: { scope: "local", needsGatewayAddress: true, publishesPorts: true, supportsIPv4: true, supportsIPv6: true },
    createNetwork: () => Promise.resolve(),
    deleteNetwork: () => Promise.resolve(),
    createEndpoint: () => Promise.resolve({ mac: "02:42:ac:11:00:02" }),
    deleteEndpoint: () => Promise.resolve(),
    join(_ctx, network, endpoint, sandbox) {
      joined.set(endpoint.id, { sandbox, ipv4: endpoint.ipv4 });
      return Promise.resolve({ interfaceName: "eth0", gateway4: network.ipv4?.gateway ?? null, gateway6: network.ipv6?.gateway ?? null });
    },
    leave(_ctx, _network, endpoint) {
      joined.delete(endpoint.id);
      return Promise.resolve();
    },
    endpointInfo(_ctx, _network, endpoint) {
      const j = joined.get(endpoint.id);
      const portBindings: OperationalBinding[] = (j?.sandbox.portBindings ?? []).map((b) => ({
        protocol: b.protocol,
        containerIp: j?.ipv4?.split("/")[0] ?? "",
        containerPort: b.containerPort,
        hostIp: b.hostIp ?? "0.0.0.0",
        hostPort: b.hostPortStart || 49153,
      }));
      return Promise.resolve({ portBindings });
    },
  };
}

export interface ApiHarness {
  readonly app: ApiApp;
  readonly kernel: FakeKernel;
  readonly controller: Controller;
  /** Every store batch so far: whether it was durable, and the kinds it wrote. */
  readonly applies: Array<{ durable: boolean; kinds: string[] }>;
  /** Sends a request; `body` objects are JSON-encoded, strings sent as they are. */
  call(method: "GET" | "POST" | "DELETE" | "HEAD", url: string, body?: unknown): Promise<{ status: number; json: unknown; text: string; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** `drivers` replaces the shape driver (e.g. the real bridge driver over the fake kernel). */
export async function apiHarness(options: { drivers?: () => Driver[] } = {}): Promise<ApiHarness> {
  const kernel = createFakeKernel();
  const drivers = options.drivers ? options.drivers() : [shapeDriver()];
  const memory = createMemoryStore();
  const applies: ApiHarness["applies"] = [];
  const store: Store = { ...memory, apply: (ops, o) => (applies.push({ durable: o?.durable !== false, kinds: ops.map((op) => op.kind) }), memory.apply(ops, o)) };
  const controller = await Controller.open({ kernel, store, drivers, netnsPrefix: "nttest-" });
  const app = await createApiServer({ controller, events: new EventBus(), metrics: new Metrics() });
  return {
    app,
    kernel,
    controller,
    applies,
    async call(method, url, body) {
      const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
      const res = await app.inject({ method, url, ...(payload !== undefined ? { payload, headers: { "content-type": "application/json" } } : {}) });
      let json: unknown;
      try {
        json = res.body === "" ? undefined : JSON.parse(res.body);
      } catch {
        json = undefined;
      }
      return { status: res.statusCode, json, text: res.body, headers: res.headers };
    },
    async close() {
      await app.close();
      await controller.close();
    },
  };
}
