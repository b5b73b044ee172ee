// Benchmark helper (bench.sh): against a running netd at SOCKET, creates the networks and
// sandboxes the DNS benchmark queries from, then times the API's attach (connect) and detach
// with DNS on and with DNS off (-o com.netd.dns=false), interleaved, and prints one JSON object.
// Usage: node attach.mjs SOCKET ROUNDS
import { request } from "node:http";

const [socketPath, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 30);

function call(method, path, body) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, agent: false, headers: payload ? { "Content-Type": "application/json" } : {} }, (res) => {
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => (res.statusCode >= 300 ? reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`)) : resolve(text ? JSON.parse(text) : null)));
    });
    req.on("error", reject);
    req.end(payload);
  });
}

const network = (name, subnet, options = {}) => call("POST", "/networks/create", { Name: name, Options: options, IPAM: { Config: [{ Subnet: subnet }] } });
await network("dnson", "10.250.0.0/24");
await network("dnsoff", "10.249.0.0/24", { "com.netd.dns": "false" });
const web = await call("POST", "/sandboxes", { Name: "web", Networks: { dnson: { Aliases: ["www"] } } });
const client = await call("POST", "/sandboxes", { Name: "client", Networks: { dnson: null } });
await call("POST", "/sandboxes", { Name: "probe" });

const times = { on: { connect: [], disconnect: [] }, off: { connect: [], disconnect: [] } };
const timed = async (list, fn) => {
  const t = process.hrtime.bigint();
  await fn();
  list.push(Number(process.hrtime.bigint() - t) / 1e6);
};
for (let i = 0; i < rounds; i++) {
  for (const [key, net] of i % 2 === 0 ? [["on", "dnson"], ["off", "dnsoff"]] : [["off", "dnsoff"], ["on", "dnson"]]) {
    await timed(times[key].connect, () => call("POST", `/networks/${net}/connect`, { Container: "probe", EndpointConfig: { Aliases: ["probe-alias"] } }));
    await timed(times[key].disconnect, () => call("POST", `/networks/${net}/disconnect`, { Container: "probe" }));
  }
}
const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
};
const out = {
  web: web.Networks.dnson.IPAddress,
  client: client.Networks.dnson.IPAddress,
  clientNetns: client.Netns,
  gateway: client.Networks.dnson.Gateway,
  connectOnMs: median(times.on.connect),
  connectOffMs: median(times.off.connect),
  disconnectOnMs: median(times.on.disconnect),
  disconnectOffMs: median(times.off.disconnect),
  rounds,
};
console.log(JSON.stringify(out));
