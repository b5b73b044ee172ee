/**
 * The controller's endpoint records, indexed by sandbox and by network as well as by id: with
 * 1,000 sandboxes, a join, leave or delete looked at every endpoint to find the few of one
 * sandbox (about 1 ms of a cycle's CPU). Every change goes through set/delete, so the
 * indexes cannot drift. Within a sandbox or network, records are in the order they came
 * into it (gateway selection sorts its candidates itself).
 */
import type { EndpointRecord } from "../model.js";

const NONE: ReadonlyMap<string, EndpointRecord> = new Map();

export class EndpointIndex extends Map<string, EndpointRecord> {
  private readonly bySandbox = new Map<string, Map<string, EndpointRecord>>();
  private readonly byNetwork = new Map<string, Map<string, EndpointRecord>>();

  /** Starts empty: Map's constructor would call set() before the indexes exist. */
  constructor() {
    super();
  }

  override set(id: string, record: EndpointRecord): this {
    const old = super.get(id);
    if (old !== undefined && old.sandboxId !== record.sandboxId) unindex(this.bySandbox, old.sandboxId, id);
    if (old !== undefined && old.networkId !== record.networkId) unindex(this.byNetwork, old.networkId, id);
    super.set(id, record);
    index(this.bySandbox, record.sandboxId, id, record);
    index(this.byNetwork, record.networkId, id, record);
    return this;
  }

  override delete(id: string): boolean {
    const old = super.get(id);
    if (old === undefined) return false;
    unindex(this.bySandbox, old.sandboxId, id);
    unindex(this.byNetwork, old.networkId, id);
    return super.delete(id);
  }

  override clear(): void {
    this.bySandbox.clear();
    this.byNetwork.clear();
    super.clear();
  }

  /** The endpoints whose sandboxId is `sandboxId` (joined to it), by id. */
  ofSandbox(sandboxId: string): ReadonlyMap<string, EndpointRecord> {
    return this.bySandbox.get(sandboxId) ?? NONE;
  }

  /** The endpoints of network `networkId`, by id. */
  ofNetwork(networkId: string): ReadonlyMap<string, EndpointRecord> {
    return this.byNetwork.get(networkId) ?? NONE;
  }
}

function index(by: Map<string, Map<string, EndpointRecord>>, key: string | null, id: string, record: EndpointRecord): void {
  if (key === null) return;
  let m = by.get(key);
  if (m === undefined) by.set(key, (m = new Map<string, EndpointRecord>()));
  m.set(id, record);
}

function unindex(by: Map<string, Map<string, EndpointRecord>>, key: string | null, id: string): void {
  if (key === null) return;
  const m = by.get(key);
  if (m === undefined) return;
  m.delete(id);
  if (m.size === 0) by.delete(key);
}
