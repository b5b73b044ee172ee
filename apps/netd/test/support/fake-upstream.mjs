// A fake upstream DNS server for the DNS integration tests and the benchmark: answers every
// A query (UDP, port 53) with the address given as argv[2], everything else with NXDOMAIN.
// Binds argv[3] if given (the benchmark shares its namespace with other servers), else [::].
import { createSocket } from "node:dgram";
import * as packet from "dns-packet";

const address = process.argv[2];
const bindTo = process.argv[3];
const socket = createSocket(bindTo ? (bindTo.includes(":") ? "udp6" : "udp4") : { type: "udp6", ipv6Only: false });
socket.on("message", (msg, from) => {
  let q;
  try {
    q = packet.decode(msg);
  } catch {
    return;
  }
  const question = q.questions[0];
  const answers = question?.type === "A" ? [{ type: "A", name: question.name, ttl: 5, data: address }] : [];
  const flags = answers.length > 0 ? packet.RECURSION_AVAILABLE : packet.RECURSION_AVAILABLE | 3;
  socket.send(packet.encode({ type: "response", id: q.id, flags, questions: q.questions, answers }), from.port, from.address);
});
socket.bind(53, bindTo ?? "::", () => console.log("listening"));
