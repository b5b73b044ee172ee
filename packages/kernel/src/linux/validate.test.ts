import { describe, expect, it } from "vitest";
import { isNetdError } from "@netd/driverapi";
import { sysctlPath, validateCidr, validateIfName, validateIp, validateMac, validateMtu, validateNetnsName, validateNetnsPath, validateVlanId } from "./validate.js";
import { checkRoute } from "./routes.js";
import { replaceScript, tableText } from "./nft.js";
import { fromErrno } from "./errors.js";
import { nft } from "@netd/driverapi";

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isNetdError(e)) return `${e.code}/${e.category}`;
    throw e;
  }
  return "ok";
}

describe("validation", () => {
  it("interface names follow the shared rule (dev_valid_name, no templates, no shell metacharacters)", () => {
    for (const ok of ["eth0", "a", "veth1a2b3c4d5e6", "br-1.2_x"]) expect(validateIfName(ok)).toBe(ok);
    for (const bad of ["", ".", "..", "a/b", "a b", "a\tb", "a:b", "abcdefghijklmnop", "ééééééééé", 5, null, "eth%d", "x;reboot", "$(id)", "all", "default"]) {
      expect(codeOf(() => validateIfName(bad))).toBe("INVALID_INTERFACE_NAME/invalid");
    }
  });

  it("namespace names and paths", () => {
    expect(validateNetnsName("nt1-h")).toBe("nt1-h");
    expect(codeOf(() => validateNetnsName("a/b"))).toBe("INVALID_NETNS/invalid");
    expect(validateNetnsPath("/proc/12/ns/net")).toBe("/proc/12/ns/net");
    for (const bad of ["run/netns/x", "/run/netns/../x", "/a\0b", ""]) expect(codeOf(() => validateNetnsPath(bad))).toBe("INVALID_NETNS/invalid");
  });

  it("addresses and prefixes", () => {
    expect(validateCidr("10.0.0.2/24")).toMatchObject({ family: 4, prefix: 24, text: "10.0.0.2/24" });
    expect(validateCidr("FD00::2/64")).toMatchObject({ family: 6, prefix: 64, text: "fd00::2/64" });
    expect(validateIp("::ffff:1.2.3.4").family).toBe(6);
    for (const bad of ["10.0.0.2", "10.0.0.2/", "10.0.0.2/33", "10.1/8", "0x0a.0.0.1/8", "fd00::/129", "fd00::1%lo/64", "a/b"]) {
      expect(codeOf(() => validateCidr(bad))).toBe("INVALID_ADDRESS/invalid");
    }
    expect(codeOf(() => validateCidr("10.0.0.2/24", "address", 6))).toBe("INVALID_ADDRESS/invalid");
  });

  it("MTU, MAC and VLAN id ranges", () => {
    expect(validateMtu(68)).toBe(68);
    expect(codeOf(() => validateMtu(67))).toBe("INVALID_MTU/invalid");
    expect(codeOf(() => validateMtu(65536))).toBe("INVALID_MTU/invalid");
    expect(codeOf(() => validateMtu(1500.5))).toBe("INVALID_MTU/invalid");
    expect(validateMac("02:AA:bb:cc:dd:ee")).toBe("02:aa:bb:cc:dd:ee");
    expect(codeOf(() => validateMac("01:00:5e:00:00:01"))).toBe("INVALID_MAC/invalid");
    expect(codeOf(() => validateMac("02:aa:bb:cc:dd"))).toBe("INVALID_MAC/invalid");
    expect(validateVlanId(4094)).toBe(4094);
    expect(codeOf(() => validateVlanId(0))).toBe("INVALID_VLAN_ID/invalid");
  });

  it("sysctl keys map to /proc/sys/net only", () => {
    expect(sysctlPath("net.ipv4.ip_forward")).toBe("/proc/sys/net/ipv4/ip_forward");
    expect(sysctlPath("net/ipv4/conf/eth0.10/forwarding")).toBe("/proc/sys/net/ipv4/conf/eth0.10/forwarding");
    for (const bad of ["kernel.hostname", "net/../kernel", "net", "/net/ipv4", "net.ipv4.x y", "net//x"]) {
      expect(codeOf(() => sysctlPath(bad))).toBe("INVALID_SYSCTL_KEY/invalid");
    }
  });

  it("routes: host bits, family and via-or-dev", () => {
    expect(checkRoute({ to: "default", family: 6, via: "fd00::1" }).text).toBe("default via fd00::1");
    expect(codeOf(() => checkRoute({ to: "10.0.0.1/24", family: 4, dev: "eth0" }))).toBe("INVALID_ROUTE/invalid");
    expect(codeOf(() => checkRoute({ to: "10.0.0.0/24", family: 4 }))).toBe("INVALID_ROUTE/invalid");
    expect(codeOf(() => checkRoute({ to: "10.0.0.0/24", family: 4, dev: "eth0", table: 0 }))).toBe("INVALID_ROUTE/invalid");
  });

  it("nft tables must be netd's", () => {
    expect(tableText({ family: "inet", name: "netd" })).toBe("inet netd");
    expect(codeOf(() => tableText({ family: "inet", name: "filter" }))).toBe("INVALID_NFT_TABLE/invalid");
    expect(codeOf(() => tableText({ family: "inet", name: "netd;flush ruleset" }))).toBe("INVALID_NFT_TABLE/invalid");
    expect(replaceScript({ family: "ip", name: "netd4" }, nft`chain c { }`)).toBe("add table ip netd4\ndelete table ip netd4\ntable ip netd4 {\nchain c { }\n}\n");
  });

  it("kernel errors name the operation, the objects, errno and the kernel text", () => {
    const e = fromErrno({ op: "add veth", names: ["veth1a2b", "eth0"], extra: "peer eth0 in /run/netns/x", netns: "/run/netns/h", codes: { 17: "LINK_EXISTS" } }, 17, "some text");
    expect(e.message).toBe("failed to add veth veth1a2b (peer eth0 in /run/netns/x) in /run/netns/h: File exists (errno 17): some text");
    expect({ code: e.code, category: e.category }).toEqual({ code: "LINK_EXISTS", category: "conflict" });
    expect(e.details).toMatchObject({ op: "add veth", names: ["veth1a2b", "eth0"], errno: 17, kernelMessage: "some text" });
  });
});
