import type { ExposedPort, NetnsPath, PortBinding } from "@netd/driverapi";
import type { Core } from "../core.js";
import { coreError } from "../errors.js";
import { newId } from "../ids.js";
import type { SandboxRecord } from "../model.js";
import { NO_GATEWAYS } from "../model.js";
import { checkName, checkStringMap } from "../validate.js";
import { checkExposedPorts, checkPortBindings } from "./port-bindings.js";

export interface CreateSandboxRequest {
  /** Default: the first 12 characters of the id. */
  readonly name?: string;
  /** An existing namespace to use; absent = netd creates (and later deletes) one. */
  readonly netns?: NetnsPath;
  readonly portBindings?: readonly PortBinding[];
  readonly exposedPorts?: readonly ExposedPort[];
  readonly labels?: Record<string, string>;
}

/** Validates, creates the namespace when none is given, stores the sandbox. */
export async function createSandbox(core: Core, req: CreateSandboxRequest = {}): Promise<SandboxRecord> {
  const id = newId();
  const name = req.name === undefined ? id.slice(0, 12) : checkName("sandbox", req.name);
  if ([...core.state.sandboxes.values()].some((s) => s.name === name)) {
    throw coreError("SANDBOX_EXISTS", `sandbox with name '${name}' already exists`, "pick another name or remove the existing sandbox", { name });
  }
  const portBindings = checkPortBindings(req.portBindings);
  const exposedPorts = checkExposedPorts(req.exposedPorts);
  const labels = checkStringMap("label", req.labels);
  let netns = req.netns;
  if (netns !== undefined) {
    if (typeof netns !== "string" || !(await core.kernel.netns.exists(netns))) {
      throw coreError("INVALID_ARGUMENT", `network namespace ${JSON.stringify(netns)} does not exist`, "create it first (ip netns add) or omit it to let netd create one");
    }
  } else {
    netns = await core.kernel.netns.create(`${core.netnsPrefix}${id.slice(0, 12)}`);
  }
  const record: SandboxRecord = {
    id,
    name,
    netns,
    netnsOwned: req.netns === undefined,
    portBindings,
    exposedPorts,
    labels,
    gateways: NO_GATEWAYS,
    created: new Date().toISOString(),
  };
  try {
    await core.store.apply([{ op: "put", kind: "sandbox", id, value: record }]);
  } catch (e) {
    if (record.netnsOwned) await core.kernel.netns.delete(netns);
    throw e;
  }
  core.state.sandboxes.set(id, record);
  return record;
}
