// First-packet latency probe, run inside a system's host namespace: `count` times, opens a
// TCP connection to HOST:PORT, sends one byte and waits for the echo (so the packet really
// went through the published port to the sandbox and back); prints the times in ms as JSON.
import net from "node:net";

const [host, port, count] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4] ?? 21)];
const times = [];
for (let i = 0; i < count; i++) {
  const t0 = performance.now();
  await new Promise((resolve, reject) => {
    const s = net.connect({ host, port }, () => s.write("x"));
    s.setTimeout(5000, () => s.destroy(new Error("timeout")));
    s.once("data", () => {
      times.push(performance.now() - t0);
      s.destroy();
      resolve();
    });
    s.once("error", reject);
  });
}
console.log(JSON.stringify(times));
