import { describe, expect, it } from "vitest";
import { toDockerPorts } from "./port-bindings.js";

describe("toDockerPorts", () => {
  it("renders NAT bindings with their host port, routed ones with the unspecified address and an empty port", () => {
    const ports = toDockerPorts(
      [{ protocol: "tcp", port: 81 }],
      [{ protocol: "tcp", containerPort: 80, hostIp: null, hostPortStart: 8080, hostPortEnd: 8080 }],
      [
        { protocol: "tcp", containerIp: "10.0.0.2", containerPort: 80, hostIp: "0.0.0.0", hostPort: 8080 },
        { protocol: "tcp", containerIp: "fd00::2", containerPort: 80, hostIp: "::", hostPort: 0 },
        // The same routed opening reported twice (two events) shows once.
        { protocol: "tcp", containerIp: "fd00::2", containerPort: 80, hostIp: "::", hostPort: 0 },
      ],
    );
    // TestDisableNAT with nat4 and routed6: [0.0.0.0:8080, [::]:""].
    expect(ports).toEqual({ "81/tcp": null, "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "8080" }, { HostIp: "::", HostPort: "" }] });
  });
});
