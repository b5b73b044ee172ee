import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LOG_FILE, openLogStore } from "./log-store.js";
import type { LogStore } from "./log-store.js";
import { SNAPSHOT_FILE } from "./snapshot.js";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "netd-store-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function cloneDir(from: string, logBytes: number): string {
  const to = tempDir();
  copyFileSync(join(from, SNAPSHOT_FILE), join(to, SNAPSHOT_FILE));
  writeFileSync(join(to, LOG_FILE), readFileSync(join(from, LOG_FILE)).subarray(0, logBytes));
  return to;
}

describe("log store", () => {
  it("persists batches and deletes across reopen", async () => {
    const dir = tempDir();
    let s: LogStore = await openLogStore({ dir });
    await s.apply([{ op: "put", kind: "network", id: "n1", value: { name: "web" } }, { op: "put", kind: "meta", id: "ula48", value: "fd00:1::/48" }]);
    await s.apply([{ op: "put", kind: "driver:bridge", id: "k", value: [1, 2] }, { op: "delete", kind: "network", id: "n1" }, { op: "delete", kind: "network", id: "never" }]);
    await s.close();
    s = await openLogStore({ dir });
    expect(s.dump()).toEqual({ meta: { ula48: "fd00:1::/48" }, "driver:bridge": { k: [1, 2] } });
    expect(await s.get("network", "n1")).toBeUndefined();
    expect(await s.list("driver:bridge")).toEqual([{ id: "k", value: [1, 2] }]);
    await s.close();
  });

  it("a crash at every byte of the last record gives the previous or the next state, and later writes still replay", async () => {
    const dir = tempDir();
    const s = await openLogStore({ dir });
    await s.apply([{ op: "put", kind: "network", id: "a", value: { n: 1 } }]);
    const before = statSync(join(dir, LOG_FILE)).size;
    const prevState = s.dump();
    await s.apply([
      { op: "put", kind: "network", id: "b", value: { text: "ünïcode ✓", list: [1, null, true] } },
      { op: "delete", kind: "network", id: "a" },
      { op: "put", kind: "sandbox", id: "s", value: { netns: "/run/netns/x" } },
    ]);
    const after = statSync(join(dir, LOG_FILE)).size;
    const nextState = s.dump();
    await s.close();
    expect(after).toBeGreaterThan(before + 50);
    for (let cut = before; cut <= after; cut++) {
      const copy = cloneDir(dir, cut);
      const r = await openLogStore({ dir: copy });
      expect(r.dump(), `log cut at byte ${cut}`).toEqual(cut === after ? nextState : prevState);
      // The torn tail is gone: a new record must not be glued onto it.
      await r.apply([{ op: "put", kind: "meta", id: "after", value: cut }]);
      await r.close();
      const again = await openLogStore({ dir: copy });
      expect(await again.get("meta", "after")).toBe(cut);
      expect(await again.get("network", "b")).toEqual(cut === after ? nextState.network!.b : undefined);
      await again.close();
      rmSync(copy, { recursive: true, force: true });
    }
  }, 60_000);

  it("refuses a log damaged before its last record", async () => {
    const dir = tempDir();
    const s = await openLogStore({ dir });
    await s.apply([{ op: "put", kind: "network", id: "a", value: 1 }]);
    await s.apply([{ op: "put", kind: "network", id: "b", value: 2 }]);
    await s.close();
    const buf = readFileSync(join(dir, LOG_FILE));
    buf[12] = buf[12] === 0x31 ? 0x32 : 0x31;
    writeFileSync(join(dir, LOG_FILE), buf);
    await expect(openLogStore({ dir })).rejects.toThrow(/damaged at line 1/);
  });

  it("a batch with a non-JSON value changes nothing", async () => {
    const dir = tempDir();
    const s = await openLogStore({ dir });
    await expect(s.apply([{ op: "put", kind: "network", id: "a", value: 1 }, { op: "put", kind: "network", id: "b", value: undefined }])).rejects.toThrow(/not JSON/);
    await expect(s.apply([{ op: "put", kind: "bogus" as "meta", id: "a", value: 1 }])).rejects.toThrow(/kind "bogus"/);
    expect(s.dump()).toEqual({});
    expect(s.logLength()).toBe(0);
    await s.close();
  });

  it("compacts into a snapshot after N records and keeps every record", async () => {
    const dir = tempDir();
    let s = await openLogStore({ dir, compactAfter: 3 });
    for (let i = 0; i < 7; i++) await s.apply([{ op: "put", kind: "endpoint", id: `e${i}`, value: i }]);
    expect(s.logLength()).toBe(1);
    const snap = JSON.parse(readFileSync(join(dir, SNAPSHOT_FILE), "utf8")) as { seq: number; version: number; data: Record<string, unknown> };
    expect(snap).toMatchObject({ seq: 6, version: 1 });
    expect(Object.keys(snap.data.endpoint as object)).toHaveLength(6);
    await s.close();
    s = await openLogStore({ dir, compactAfter: 3 });
    expect(Object.keys(s.dump().endpoint!)).toEqual(["e0", "e1", "e2", "e3", "e4", "e5", "e6"]);
    await s.close();
  });

  it("a crash between writing the snapshot and emptying the log replays nothing twice", async () => {
    const dir = tempDir();
    const s = await openLogStore({ dir, compactAfter: 100 });
    await s.apply([{ op: "put", kind: "network", id: "a", value: 1 }]);
    await s.apply([{ op: "delete", kind: "network", id: "a" }, { op: "put", kind: "network", id: "b", value: 2 }]);
    const oldLog = readFileSync(join(dir, LOG_FILE));
    await s.compact();
    expect(statSync(join(dir, LOG_FILE)).size).toBe(0);
    await s.close();
    writeFileSync(join(dir, LOG_FILE), oldLog);
    writeFileSync(join(dir, `${SNAPSHOT_FILE}.tmp`), "{half");
    const r = await openLogStore({ dir });
    expect(r.dump()).toEqual({ network: { b: 2 } });
    expect(r.logLength()).toBe(0);
    await r.close();
  });

  it("migrates an older schema version at open and refuses a newer one", async () => {
    const dir = tempDir();
    const v1 = await openLogStore({ dir, version: 1 });
    await v1.apply([{ op: "put", kind: "network", id: "a", value: { name: "web" } }]);
    await v1.close();
    const migrations = { 1: (d: Record<string, Record<string, unknown>>) => ({ ...d, network: Object.fromEntries(Object.entries(d.network ?? {}).map(([k, v]) => [k, { ...(v as object), migrated: true }])) }) };
    const v2 = await openLogStore({ dir, version: 2, migrations });
    expect(await v2.get("network", "a")).toEqual({ name: "web", migrated: true });
    await v2.close();
    expect(JSON.parse(readFileSync(join(dir, SNAPSHOT_FILE), "utf8"))).toMatchObject({ version: 2 });
    await expect(openLogStore({ dir, version: 1 })).rejects.toThrow(/schema version 2, newer than this netd's 1/);
    await expect(openLogStore({ dir, version: 3, migrations })).rejects.toThrow(/no migration from store schema version 2 to 3/);
  });

  it("refuses a log without its snapshot", async () => {
    const dir = tempDir();
    const s = await openLogStore({ dir });
    await s.apply([{ op: "put", kind: "network", id: "a", value: 1 }]);
    await s.close();
    rmSync(join(dir, SNAPSHOT_FILE));
    await expect(openLogStore({ dir })).rejects.toThrow(/exists without its snapshot/);
    truncateSync(join(dir, LOG_FILE), 0);
    expect((await openLogStore({ dir })).dump()).toEqual({});
  });
});
