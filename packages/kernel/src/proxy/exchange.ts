/**
 * One batched exchange with netd-proxy: several requests (each `add` with its listening
 * socket) in one controlRequests call, so a sandbox's ports cost one thread-pool hop and one
 * proxy wake-up instead of one per binding and address family.
 */
import { closeFd, controlRequests } from "@netd/netlink-native";
import { expectOk } from "./protocol.js";

/** A request of a batch; `fd` (-1: none) travels with it and is closed once it was sent. */
export interface BatchRequest {
  readonly text: string;
  readonly fd: number;
  /** Ok, or the proxy's refusal (PROXY_REFUSED) or the transport error. */
  settle(result: { ok: true } | { ok: false; error: unknown }): void;
}

/**
 * Sends `batch` on the control connection `fd` and settles every request. Resolves to the
 * transport error when the exchange itself failed (timeout, proxy gone): every request was
 * then settled with it and how many the proxy handled is unknown, so the connection is broken.
 */
export async function exchange(fd: number, batch: readonly BatchRequest[]): Promise<unknown> {
  if (batch.length === 0) return null;
  try {
    const replies = await controlRequests(
      fd,
      batch.map((r) => r.text),
      batch.map((r) => r.fd),
    );
    batch.forEach((r, i) => {
      try {
        expectOk(r.text, replies[i] ?? "");
      } catch (error) {
        return r.settle({ ok: false, error });
      }
      r.settle({ ok: true });
    });
    return null;
  } catch (error) {
    for (const r of batch) r.settle({ ok: false, error });
    return error;
  } finally {
    for (const r of batch) if (r.fd >= 0) closeFd(r.fd);
  }
}
