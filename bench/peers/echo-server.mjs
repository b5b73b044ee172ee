// Echo server for the first-packet probe, run inside a sandbox namespace (dual-stack listener).
import net from "node:net";

net.createServer((s) => s.on("data", (d) => s.write(d)).on("error", () => s.destroy())).listen({ port: Number(process.argv[2]), host: "::" }, () => console.log("listening"));
