import { describe, expect, it } from "vitest";
import { parsePublishSpec, publishSpecsToMap } from "./publish-spec.js";
import { parsePortKey } from "./port-range.js";

describe("-p/--publish specs", () => {
  it.each([
    ["80", [["80/tcp", "", ""]]],
    ["8080:80", [["80/tcp", "", "8080"]]],
    ["127.0.0.1:8080:80/udp", [["80/udp", "127.0.0.1", "8080"]]],
    ["127.0.0.1::80", [["80/tcp", "127.0.0.1", ""]]],
    ["[::1]:8080:80", [["80/tcp", "::1", "8080"]]],
    ["8000-8010:80", [["80/tcp", "", "8000-8010"]]],
    ["8000-8001:80-81/sctp", [["80/sctp", "", "8000"], ["81/sctp", "", "8001"]]],
    ["80-81", [["80/tcp", "", ""], ["81/tcp", "", ""]]],
    ["0:80", [["80/tcp", "", ""]]],
  ])("%s", (spec, want) => {
    expect(parsePublishSpec(spec).map((e) => [e.key, e.binding.HostIp, e.binding.HostPort])).toEqual(want);
  });

  it.each([
    ["70000:80", /host port 70000 in '70000:80' is out of range/],
    ["8080:0", /container port 0 in '8080:0' is out of range/],
    ["8010-8000:80", /host port range '8010-8000' in '8010-8000:80' is inverted/],
    ["8000-8002:80-81", /differ in length/],
    ["80/icmp", /unknown protocol 'icmp'/],
    ["1.2.3:80:80", /invalid host address '1.2.3'/],
    ["a:b:c:d", /invalid publish spec/],
    ["http", /invalid container port 'http'/],
    ["[::1:80", /invalid IPv6 host address/],
  ])("rejects %s", (spec, message) => {
    expect(() => parsePublishSpec(spec)).toThrow(message);
  });

  it("merges several specs for one container port", () => {
    expect(publishSpecsToMap(["8080:80", "127.0.0.1:9090:80"])).toEqual({ "80/tcp": [{ HostIp: "", HostPort: "8080" }, { HostIp: "127.0.0.1", HostPort: "9090" }] });
  });

  it("parses Docker port keys", () => {
    expect(parsePortKey("80")).toEqual({ range: { start: 80, end: 80 }, protocol: "tcp" });
    expect(parsePortKey("80-90/UDP")).toEqual({ range: { start: 80, end: 90 }, protocol: "udp" });
    expect(() => parsePortKey("80/foo")).toThrow(/unknown protocol 'foo' in port '80\/foo'/);
  });
});
