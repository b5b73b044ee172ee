/**
 * @netd/testing: the integration-test harness. Each test gets a {@link TestEnv} with a unique
 * prefix; everything it creates (namespaces, processes) carries that prefix and is removed
 * by `cleanup()`, and `assertNoLeftovers()` proves it.
 *
 * Be aware:
 * - it needs root, `ip` and `nft`; without them tests fail (never skip);
 * - it never changes the root namespace; create veths inside a test namespace
 *   (`ip -n A link add x type veth peer name y netns B`);
 * - echo servers and clients are `node -e` children run through `ip netns exec`.
 */
export { requireRoot } from "./require-root.js";
export { createTestEnv } from "./env.js";
export { useTestEnv } from "./use-test-env.js";
export { makePrefix, netnsName, PREFIX_PATTERN } from "./names.js";
export { AgentCallError } from "./agent.js";
export { linkNetns } from "./link.js";
export { findStrays, netnsInodes, STRAY_NAMES, type Stray } from "./strays.js";
export type { LinkEnd } from "./link.js";
export type { Agent } from "./agent.js";
export type {
  EchoServer,
  EchoServerOptions,
  ExecResult,
  ReachOptions,
  SendOptions,
  SpawnedProcess,
  SpawnOptions,
  TestEnv,
  TestNetns,
} from "./types.js";
