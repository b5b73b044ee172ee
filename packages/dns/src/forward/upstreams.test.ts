import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { UpstreamSource, parseResolvConf } from "./upstreams.js";

describe("upstream resolvers", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const files = (host: string, resolved?: string) => {
    const dir = mkdtempSync(join(tmpdir(), "netd-dns-up-"));
    dirs.push(dir);
    const paths = { resolvConf: join(dir, "resolv.conf"), resolvedResolvConf: join(dir, "resolved.conf") };
    writeFileSync(paths.resolvConf, host);
    if (resolved !== undefined) writeFileSync(paths.resolvedResolvConf, resolved);
    return paths;
  };

  it("parses nameservers (zone ids dropped, junk ignored), the last search/domain line and every options line", () => {
    const conf = parseResolvConf("# c\nnameserver 192.0.2.1\nnameserver fe80::1%eth0\nnameserver not-an-ip\ndomain a.example\nsearch b.example c.example\noptions ndots:2\noptions edns0\n");
    expect(conf).toEqual({ nameservers: ["192.0.2.1", "fe80::1"], search: ["b.example", "c.example"], options: ["ndots:2", "edns0"] });
  });

  it("replaces a loopback resolver (systemd-resolved's 127.0.0.53) by resolved's upstreams; keeps it without that file", () => {
    const stub = "nameserver 127.0.0.53\nsearch lan\noptions edns0 trust-ad\n";
    expect(new UpstreamSource(files(stub, "nameserver 192.0.2.10\nnameserver 2001:db8::10\n")).get()).toEqual({ nameservers: ["192.0.2.10", "2001:db8::10"], search: ["lan"], options: ["edns0", "trust-ad"] });
    expect(new UpstreamSource(files(stub)).get().nameservers).toEqual(["127.0.0.53"]);
    expect(new UpstreamSource(files("nameserver 192.0.2.1\nnameserver 127.0.0.1\n", "nameserver 192.0.2.10\n")).get().nameservers).toEqual(["192.0.2.1", "127.0.0.1"]);
  });

  it("re-reads the file when it changes", async () => {
    const paths = files("nameserver 192.0.2.1\n");
    const source = new UpstreamSource(paths);
    expect(source.get().nameservers).toEqual(["192.0.2.1"]);
    writeFileSync(paths.resolvConf, "nameserver 192.0.2.2\n");
    const later = new Date(Date.now() + 5000);
    utimesSync(paths.resolvConf, later, later);
    await new Promise((r) => setTimeout(r, 1100));
    expect(source.get().nameservers).toEqual(["192.0.2.2"]);
  });
});
