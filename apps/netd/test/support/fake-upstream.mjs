// A fake upstream DNS server for the DNS integration tests: answers every A query on
// [::]:53 (UDP) with the address given as argv[2], everything else with NXDOMAIN.
import { createSocket } from "node:dgram";
import * as packet from "dns-packet";

const address = process.argv[2];
const socket = createSocket({ type: "udp6", ipv6Only: false });
socket.on("message", (msg, from) => {
  const q = packet.decode(msg);
  const question = q.questions[0];
  const answers = question.type === "A" ? [{ type: "A", name: question.name, ttl: 5, data: address }] : [];
  const flags = answers.length > 0 ? packet.RECURSION_AVAILABLE : packet.RECURSION_AVAILABLE | 3;
  socket.send(packet.encode({ type: "response", id: q.id, flags, questions: q.questions, answers }), from.port, from.address);
});
socket.bind(53, "::", () => console.log("listening"));
