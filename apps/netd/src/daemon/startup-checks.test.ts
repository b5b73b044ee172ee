import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { prettyLine } from "./logger.js";
import { netnsPropagationProblem } from "./mount-propagation.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fake /proc with self's mountinfo and the two mount namespace links. */
function fakeProc(mountinfo: string, selfNs: string, initNs: string | null): string {
  const proc = mkdtempSync(join(tmpdir(), "netd-proc-"));
  dirs.push(proc);
  mkdirSync(join(proc, "self", "ns"), { recursive: true });
  writeFileSync(join(proc, "self", "mountinfo"), mountinfo);
  symlinkSync(selfNs, join(proc, "self", "ns", "mnt"));
  if (initNs !== null) {
    mkdirSync(join(proc, "1", "ns"), { recursive: true });
    symlinkSync(initNs, join(proc, "1", "ns", "mnt"));
  }
  return proc;
}
const root = (tags: string) => `26 1 254:0 / / rw,relatime ${tags} - ext4 /dev/vda rw\n`;
const netns = (tags: string) => `44 26 254:0 /run/netns /run/netns rw,relatime ${tags} - ext4 /dev/vda rw\n`;

describe("start-up checks", () => {
  it("refuses a slave copy of /run/netns (ip netns exec) and a private namespace of its own; accepts shared mounts and the init namespace", () => {
    expect(netnsPropagationProblem(fakeProc(root("") + netns("master:1"), "mnt:[2]", "mnt:[1]"))).toMatch(/mount namespace of its own \(as 'ip netns exec' sets up\)/);
    expect(netnsPropagationProblem(fakeProc(root("master:1"), "mnt:[2]", null))).toMatch(/ip netns exec/);
    expect(netnsPropagationProblem(fakeProc(root(""), "mnt:[2]", "mnt:[1]"))).toMatch(/ip netns exec/);
    expect(netnsPropagationProblem(fakeProc(root("") + netns("shared:1"), "mnt:[2]", "mnt:[1]"))).toBeNull();
    expect(netnsPropagationProblem(fakeProc(root("shared:1"), "mnt:[2]", "mnt:[1]"))).toBeNull();
    expect(netnsPropagationProblem(fakeProc(root(""), "mnt:[1]", "mnt:[1]"))).toBeNull();
    expect(netnsPropagationProblem(fakeProc(root(""), "mnt:[2]", null))).toBeNull();
  });

  it("prints log lines for humans on a terminal: time, level name, message, fields", () => {
    const line = JSON.stringify({ level: 40, time: "2026-12-05T07:30:01.234Z", pid: 1, svc: "netd", msg: "disconnect finished with errors", network: "a", errors: ["x y"] });
    expect(prettyLine(line, false)).toBe('07:30:01.234 WARN  disconnect finished with errors  network=a errors=["x y"]\n');
    expect(prettyLine(line, true)).toContain("\u001b[33mWARN \u001b[0m");
    expect(prettyLine("not json", false)).toBe("not json");
  });
});
