# Bad input for the DNS integration test, run inside a sandbox: python3 dns-abuse.py SERVER NAME
# Sends malformed, oversized, wrong-opcode and response packets over UDP and TCP, then floods
# local and forwarded queries. Prints one JSON object: what came back for each probe.
import json, socket, struct, sys

server, name = sys.argv[1], sys.argv[2]
out = {}

def question(qname, qtype=1):
    return b"".join(bytes([len(l)]) + l.encode() for l in qname.split(".")) + b"\x00" + struct.pack(">HH", qtype, 1)

def header(qid, flags, qd):
    return struct.pack(">HHHHHH", qid, flags, qd, 0, 0, 0)

def udp(payload, wait=2.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(wait)
    s.sendto(payload, (server, 53))
    try:
        r = s.recv(65535)
        return {"len": len(r), "sent": len(payload), "id": struct.unpack(">H", r[:2])[0], "rcode": r[3] & 15, "ancount": struct.unpack(">H", r[6:8])[0]}
    except socket.timeout:
        return None
    finally:
        s.close()

# Undecodable: a header announcing a question followed by junk.
out["junk"] = udp(header(0x1234, 0x0100, 1) + b"\xff" * 40)
# Shorter than a header, and a datagram of zeros larger than any DNS limit.
out["short"] = udp(b"\x00" * 3, 1.0)
out["zeros"] = udp(b"\x00" * 5000, 1.0)
# A valid query padded past the largest UDP payload offered (4096): dropped.
out["padded"] = udp(header(0x2222, 0x0100, 1) + question(name) + b"\x00" * 5000)
# Two questions: FORMERR.
out["two"] = udp(header(0x3333, 0x0100, 2) + question(name) + question(name))
# Opcode STATUS (2): NOTIMP.
out["opcode"] = udp(header(0x4444, 0x1100, 1) + question(name))
# A response (QR set) is never answered: nobody can bounce packets off the server.
out["response"] = udp(header(0x5555, 0x8100, 1) + question(name), 1.0)

# TCP: a framed junk message gets a framed FORMERR; a zero length closes the connection.
t = socket.create_connection((server, 53), timeout=3)
junk = header(0x6666, 0x0100, 1) + b"\xff" * 40
t.sendall(struct.pack(">H", len(junk)) + junk)
n = struct.unpack(">H", t.recv(2))[0]
r = t.recv(n)
out["tcp_junk"] = {"len": n, "sent": len(junk), "rcode": r[3] & 15}
t.sendall(b"\x00\x00")
try:
    out["tcp_zero_closed"] = t.recv(10) == b""
except (ConnectionResetError, socket.timeout):
    out["tcp_zero_closed"] = True
t.close()

# Floods: 3000 local and 3000 forwarded queries as fast as the socket sends them.
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for k in range(3000):
    s.sendto(header(k, 0x0100, 1) + question(name), (server, 53))
    s.sendto(header(k, 0x0100, 1) + question("n%d.example.org" % k), (server, 53))
s.close()
# Still answering afterwards. The flood may still fill the server's socket buffer, where the
# kernel drops what does not fit: retry as a stub resolver would, 1 s apart, 15 times at most.
for attempt in range(15):
    out["after"] = udp(header(0x7777, 0x0100, 1) + question(name), 1.0)
    if out["after"] is not None:
        break
print(json.dumps(out))
