import type { ExposedPort, NetnsPath, PortBinding } from "@netd/driverapi";
import type { Core } from "../core.js";
import { coreError } from "../errors.js";
import { newId } from "../ids.js";
import type { SandboxRecord } from "../model.js";
import { NO_GATEWAYS } from "../model.js";
import { checkName, checkStringMap } from "../validate.js";
import { checkExposedPorts, checkPortBindings } from "./port-bindings.js";
import { checkNetnsFree, rememberNetns } from "./netns-owner.js";

export interface CreateSandboxRequest {
  /** Default: the first 12 characters of the id. */
  readonly name?: string;
  /** An existing namespace to use; absent = netd creates (and later deletes) one. */
  readonly netns?: NetnsPath;
  readonly portBindings?: readonly PortBinding[];
  readonly exposedPorts?: readonly ExposedPort[];
  readonly labels?: Record<string, string>;
}

export interface CreateSandboxOptions {
  /**
   * false: the record's commit is not fsynced, because the caller commits a durable change
   * right after in the same API operation (joining the sandbox's networks) and answers only
   * then; the store persists batches in order, so that fsync covers this one too. Default true.
   */
  readonly durable?: boolean;
}

/**
 * Validates, writes the intent, creates the namespace when none is given, commits the
 * sandbox. The name is reserved before the first await, so concurrent creates with one name
 * cannot both succeed.
 */
export async function createSandbox(core: Core, req: CreateSandboxRequest = {}, options: CreateSandboxOptions = {}): Promise<SandboxRecord> {
  const id = newId();
  const name = req.name === undefined ? id.slice(0, 12) : checkName("sandbox", req.name);
  const portBindings = checkPortBindings(req.portBindings);
  const exposedPorts = checkExposedPorts(req.exposedPorts);
  const labels = checkStringMap("label", req.labels);
  if (req.netns !== undefined && typeof req.netns !== "string") {
    throw coreError("INVALID_ARGUMENT", `network namespace ${JSON.stringify(req.netns)} is not a path`, "pass a path such as /run/netns/NAME or /proc/PID/ns/net, or omit it to let netd create one");
  }
  if ([...core.state.sandboxes.values()].some((s) => s.name === name) || core.state.pendingSandboxNames.has(name)) {
    throw coreError("SANDBOX_EXISTS", `sandbox with name '${name}' already exists`, "pick another name or remove the existing sandbox", { name });
  }
  core.state.pendingSandboxNames.add(name);
  try {
    const identity = req.netns === undefined ? null : await checkNetnsFree(core, req.netns);
    const netnsOwned = req.netns === undefined;
    const netns = req.netns ?? `/run/netns/${core.netnsPrefix}${id.slice(0, 12)}`;
    const record: SandboxRecord = { id, name, netns, netnsOwned, portBindings, exposedPorts, labels, gateways: NO_GATEWAYS, created: new Date().toISOString() };
    const txn = await core.begin({ op: "createSandbox", sandbox: record });
    try {
      if (netnsOwned) await core.kernel.netns.create(`${core.netnsPrefix}${id.slice(0, 12)}`);
      txn.put("sandbox", id, record);
      await txn.commit({ durable: options.durable !== false });
    } catch (e) {
      if (netnsOwned) await core.kernel.netns.delete(netns).catch((err: unknown) => core.log.error("namespace cleanup after a failed sandbox create failed", { netns, error: String(err) }));
      await txn.abandon();
      throw e;
    }
    core.state.sandboxes.set(id, record);
    // A namespace netd made is read at the next create on a caller's namespace.
    rememberNetns(core, id, identity);
    core.log.info("sandbox created", { sandbox: name, id, netns });
    return record;
  } finally {
    core.state.pendingSandboxNames.delete(name);
  }
}
