import { describe, expect, it } from "vitest";
import { interfaceNameProblem, isValidInterfaceName } from "./names.js";

describe("interface names", () => {
  it("accepts the names netd and users make", () => {
    for (const ok of ["eth0", "a", "veth1a2b3c4d5e6", "br-1.2_x", "eth0.100", "enp0s31f6", "0abc"]) expect(interfaceNameProblem(ok), ok).toBeNull();
  });

  it("refuses what the kernel refuses, what it would rename, shell metacharacters and the sysctl directories", () => {
    const cases: Array<[unknown, RegExp]> = [
      ["", /empty/],
      ["abcdefghijklmnop", /longer than 15/],
      [".", /start/],
      ["..", /start/],
      ["-eth", /start/],
      ["a/b", /"\/"/],
      ["a b", /" "/],
      ["a\tb", /"\\t"/],
      ["a:b", /":"/],
      ["eth%d", /"%"/],
      ["x;reboot", /";"/],
      ["$(id)", /"\$"/],
      ["a`b`", /"`"/],
      ["a|b", /"\|"/],
      ["a'b", /"'"/],
      ["a\u0000", /"\\u0000"/],
      ["ééé", /"é"/],
      ["all", /reserved/],
      ["default", /reserved/],
      [5, /not a string/],
    ];
    for (const [name, why] of cases) {
      expect(interfaceNameProblem(name), JSON.stringify(name)).toMatch(why);
      expect(isValidInterfaceName(name)).toBe(false);
    }
  });
});
