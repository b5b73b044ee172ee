// Benchmark helper: netd's DNS service (the built package) on ADDRESS:53 for the names in
// NAMES_FILE (aardvark-dns config format, the same file aardvark-dns serves), forwarding to
// the servers of RESOLV_CONF. Usage: node serve.mjs ADDRESS SUBNET NAMES_FILE RESOLV_CONF
import { readFileSync } from "node:fs";
import { DnsService } from "../dist/index.js";

const [address, subnet, namesFile, resolvConf] = process.argv.slice(2);
const entries = readFileSync(namesFile, "utf8")
  .split("\n")
  .slice(1)
  .filter((l) => l.trim().length > 0)
  .map((l) => {
    const [, v4, v6, names] = l.split(" ");
    return { names: names.split(","), ipv4: v4 || null, ipv6: v6 || null };
  });
const dns = new DnsService({ upstreamFiles: { resolvConf, resolvedResolvConf: "/nonexistent" } });
await dns.update([{ id: "bench", listen: [address], subnets: [subnet], forwarding: true, entries }]);
console.log("listening");
process.on("SIGTERM", () => void dns.close().then(() => process.exit(0)));
