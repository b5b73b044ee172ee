/** DNS over TCP framing: each message is preceded by its length as two bytes (RFC 1035 §4.2.2). */
import type { Socket } from "node:net";

/** Largest message accepted on TCP; anything announcing more closes the connection. */
export const MAX_TCP_MESSAGE = 65535;

/** Calls `onMessage` for every complete message; `onBad` when the stream is unusable. */
export function readFramed(socket: Socket, onMessage: (msg: Buffer) => void, onBad: () => void): void {
  let buffered: Buffer = Buffer.alloc(0);
  socket.on("data", (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2) {
      const len = buffered.readUInt16BE(0);
      if (len === 0) return onBad();
      if (buffered.length < 2 + len) break;
      onMessage(buffered.subarray(2, 2 + len));
      buffered = buffered.subarray(2 + len);
    }
  });
}

export function writeFramed(socket: Socket, msg: Buffer): void {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(msg.length, 0);
  socket.write(Buffer.concat([len, msg]));
}
