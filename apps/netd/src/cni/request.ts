/**
 * Reads one forwarded CNI call: the CNI_* environment and the stdin config the shim sent,
 * validated in full before anything is looked up or changed. Every problem is a CniError
 * with the spec's code (4 env, 6 decode, 1 version, 7 config) and names the value.
 */
import { CniCode, CniError, SUPPORTED_VERSIONS, compareVersions } from "./protocol.js";
import { readNetConf } from "./netconf.js";
import type { NetConf } from "./netconf.js";

/** The verbs the daemon serves; VERSION is answered by the shim. */
export type CniVerb = "ADD" | "DEL" | "CHECK" | "GC" | "STATUS";

/** One validated CNI call. */
export interface CniRequest {
  readonly verb: CniVerb;
  /** The config's cniVersion: the version of the result and of error objects. */
  readonly cniVersion: string;
  /** CNI_CONTAINERID; "" for GC and STATUS. */
  readonly containerId: string;
  /** CNI_NETNS; "" when the runtime sent none (DEL after the container died). */
  readonly netns: string;
  /** CNI_IFNAME; "" for GC and STATUS. */
  readonly ifname: string;
  readonly conf: NetConf;
}

const ENV_NAMES = ["CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS", "CNI_PATH"] as const;
/** The spec's container id: alphanumeric plus `_ . -`, starting alphanumeric. */
const CONTAINER_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const IFNAME = /^[^\s/:]{1,15}$/;

/** The cniVersion of a raw config when it can be read, for error objects of a failed parse. */
export function versionOf(body: unknown): string {
  if (typeof body !== "object" || body === null) return "1.0.0";
  const config = (body as { config?: unknown }).config;
  if (typeof config !== "string") return "1.0.0";
  const m = /"cniVersion"\s*:\s*"([0-9.]+)"/.exec(config);
  return m?.[1] ?? "1.0.0";
}

/** Parses and validates the shim's body `{env, config}` for `verb`. */
export function readRequest(verb: CniVerb, body: unknown): CniRequest {
  if (typeof body !== "object" || body === null || typeof (body as { config?: unknown }).config !== "string") {
    throw new CniError(CniCode.DECODE_FAILURE, "the request is not {env, config} from netd-cni", "call the daemon through the netd-cni executable");
  }
  const b = body as { env?: unknown; config: string };
  const env: Record<string, string> = {};
  if (typeof b.env === "object" && b.env !== null) {
    for (const name of ENV_NAMES) {
      const v = (b.env as Record<string, unknown>)[name];
      if (typeof v === "string") env[name] = v;
    }
  }
  let raw: unknown;
  try {
    raw = JSON.parse(b.config);
  } catch (e) {
    throw new CniError(CniCode.DECODE_FAILURE, `the network config on stdin is not JSON: ${(e as Error).message}`, "pass the network config as a JSON object on stdin");
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new CniError(CniCode.DECODE_FAILURE, `the network config on stdin is ${JSON.stringify(raw)}, not a JSON object`, "pass the network config as a JSON object on stdin");
  }
  const cfg = raw as Record<string, unknown>;
  const cniVersion = cfg.cniVersion;
  if (typeof cniVersion !== "string" || !(SUPPORTED_VERSIONS as readonly string[]).includes(cniVersion)) {
    throw new CniError(CniCode.INCOMPATIBLE_VERSION, `cniVersion ${JSON.stringify(cniVersion)} is not supported`, `use one of ${SUPPORTED_VERSIONS.join(", ")}`);
  }
  if (verb === "CHECK" && compareVersions(cniVersion, "0.4.0") < 0) {
    throw new CniError(CniCode.INCOMPATIBLE_VERSION, `CHECK needs cniVersion 0.4.0 or later, the config says ${cniVersion}`, "raise the config's cniVersion");
  }
  const perContainer = verb === "ADD" || verb === "DEL" || verb === "CHECK";
  const containerId = env.CNI_CONTAINERID ?? "";
  const ifname = env.CNI_IFNAME ?? "";
  const netns = env.CNI_NETNS ?? "";
  if (perContainer) {
    if (!CONTAINER_ID.test(containerId)) {
      throw new CniError(CniCode.INVALID_ENV, `CNI_CONTAINERID ${JSON.stringify(containerId)} is not a container id`, "set CNI_CONTAINERID to the container's id (letters, digits, '_', '.', '-')");
    }
    if (!IFNAME.test(ifname)) {
      throw new CniError(CniCode.INVALID_ENV, `CNI_IFNAME ${JSON.stringify(ifname)} is not an interface name`, "set CNI_IFNAME to 1-15 bytes without '/', ':' or whitespace, e.g. eth0");
    }
    if (verb !== "DEL" && !netns.startsWith("/")) {
      throw new CniError(CniCode.INVALID_ENV, `CNI_NETNS ${JSON.stringify(netns)} is not a path`, "set CNI_NETNS to the container's namespace, e.g. /run/netns/NAME or /proc/PID/ns/net");
    }
  }
  const conf = readNetConf(cfg, env.CNI_ARGS ?? "", verb);
  return { verb, cniVersion, containerId, netns, ifname, conf };
}
