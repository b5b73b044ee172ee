import type { ServerResponse } from "node:http";

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(res.req.method === "HEAD" ? undefined : text);
}

/** Docker's error body: `{"message": "..."}`. */
export function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { message });
}
