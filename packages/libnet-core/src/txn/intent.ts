/**
 * Write-ahead intents: what an operation is about to do, written before its first kernel
 * change. Each carries the records it creates (which are not in the store until the commit),
 * so that recovery can call the drivers' teardown hooks with exactly the infos they saw.
 */
import type { EndpointRecord, NetworkRecord, SandboxRecord } from "../model.js";

export type Intent =
  | { readonly op: "createNetwork"; readonly network: NetworkRecord }
  | { readonly op: "deleteNetwork"; readonly networkId: string }
  | { readonly op: "createSandbox"; readonly sandbox: SandboxRecord }
  | { readonly op: "deleteSandbox"; readonly sandboxId: string }
  /** Create an endpoint and, when `sandboxId` is set, join it (Docker's connect). */
  | { readonly op: "connect"; readonly endpoint: EndpointRecord; readonly sandboxId: string | null }
  /** Join an existing endpoint. */
  | { readonly op: "join"; readonly endpointId: string; readonly sandboxId: string }
  /** Leave, and with `deleteEndpoint` also delete the endpoint (Docker's disconnect). */
  | { readonly op: "leave"; readonly endpointId: string; readonly sandboxId: string; readonly deleteEndpoint: boolean }
  | { readonly op: "deleteEndpoint"; readonly endpointId: string };

/** An intent as stored: `at` is when it was written (ms since the epoch), for ordering. */
export type StoredIntent = Intent & { readonly at: number };
