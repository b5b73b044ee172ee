import { describe, expect, it } from "vitest";
import { CniError, toCniError } from "./protocol.js";
import { readRequest } from "./request.js";
import { parseCniArgs } from "./netconf.js";
import { NetdError } from "@netd/driverapi";

const env = { CNI_COMMAND: "ADD", CNI_CONTAINERID: "c1", CNI_NETNS: "/run/netns/x", CNI_IFNAME: "eth0" };
const body = (config: unknown, e: Record<string, string> = env) => ({ env: e, config: typeof config === "string" ? config : JSON.stringify(config) });
const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof CniError) return e.code;
    throw e;
  }
  return 0;
};

describe("CNI request parsing", () => {
  it("reads addresses and MAC with runtimeConfig over CNI_ARGS over args.cni", () => {
    const r = readRequest(
      "ADD",
      body({ cniVersion: "1.0.0", name: "n", runtimeConfig: { ips: ["10.0.0.5/24", "10.0.0.5"], portMappings: [{ hostPort: 8080, containerPort: 80, protocol: "TCP" }] }, args: { cni: { ips: ["10.0.0.9"], mac: "02:00:00:00:00:09" } } }, { ...env, CNI_ARGS: "IgnoreUnknown=1;IP=10.0.0.7,fd00::7;K8S_POD_NAME=x" }),
    );
    expect(r.conf.ips).toEqual({ v4: "10.0.0.5", v6: "fd00::7" });
    expect(r.conf.mac).toBe("02:00:00:00:00:09");
    expect(r.conf.portBindings).toEqual([{ protocol: "tcp", containerPort: 80, hostIp: null, hostPortStart: 8080, hostPortEnd: 8080 }]);
    expect(r.conf.driver).toBe("bridge");
  });

  it("maps bad input to the spec's codes", () => {
    expect(code(() => readRequest("ADD", body("{")))).toBe(6);
    expect(code(() => readRequest("ADD", body({ cniVersion: "2.0.0", name: "n" })))).toBe(1);
    expect(code(() => readRequest("CHECK", body({ cniVersion: "0.3.1", name: "n" })))).toBe(1);
    expect(code(() => readRequest("ADD", body({ cniVersion: "1.0.0", name: "n" }, { ...env, CNI_CONTAINERID: "" })))).toBe(4);
    expect(code(() => readRequest("ADD", body({ cniVersion: "1.0.0", name: "n" }, { ...env, CNI_IFNAME: "a/b" })))).toBe(4);
    expect(code(() => readRequest("ADD", body({ cniVersion: "1.0.0", name: "bad name" })))).toBe(7);
    expect(code(() => readRequest("ADD", body({ cniVersion: "1.0.0", name: "n", runtimeConfig: { ips: ["10.0.0.1", "10.0.0.2"] } })))).toBe(7);
    expect(code(() => readRequest("ADD", body({ cniVersion: "1.0.0", name: "n", runtimeConfig: { portMappings: [{ hostPort: 0, containerPort: 80 }] } })))).toBe(7);
    expect(code(() => readRequest("GC", body({ cniVersion: "1.1.0", name: "n", "cni.dev/valid-attachments": [{ containerID: 1 }] }, {})))).toBe(7);
    expect(code(() => readRequest("DEL", body({ cniVersion: "1.0.0", name: "n" }, { ...env, CNI_NETNS: "" })))).toBe(0);
    expect(code(() => readRequest("STATUS", body({ cniVersion: "1.1.0", name: "n" }, {})))).toBe(0);
  });

  it("CNI_ARGS: unknown keys only with IgnoreUnknown", () => {
    expect(code(() => parseCniArgs("FOO=1"))).toBe(4);
    expect(code(() => parseCniArgs("novalue"))).toBe(4);
    expect([...parseCniArgs("IgnoreUnknown=true;FOO=1").keys()]).toEqual(["IgnoreUnknown", "FOO"]);
  });

  it("netd errors become CNI errors by category, keeping code and hint in details", () => {
    const e = new NetdError({ code: "PORT_IN_USE", category: "conflict", message: "port 8080 in use", hint: "pick another" });
    expect(toCniError(e, "1.0.0")).toEqual({ cniVersion: "1.0.0", code: 101, msg: "port 8080 in use; pick another", details: "netd PORT_IN_USE: pick another" });
  });
});
