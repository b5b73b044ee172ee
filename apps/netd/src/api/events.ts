/**
 * The event stream behind `GET /events`: Docker's event shape for networks ("create",
 * "destroy", "connect", "disconnect", "prune") and the same shape with Type "sandbox" for
 * sandboxes ("create", "destroy"), and Type "proxy" for the userland proxy process ("started",
 * "attached", "restarted"). The last events are kept so `since` can replay them.
 */

/** One event, as Docker's `/events` sends it (one JSON object per line). */
export interface NetdEvent {
  readonly Type: "network" | "sandbox" | "proxy";
  readonly Action: string;
  readonly Actor: { readonly ID: string; readonly Attributes: Readonly<Record<string, string>> };
  readonly scope: "local";
  readonly time: number;
  readonly timeNano: number;
}

const KEEP = 1000;

/** A broadcast bus with a bounded history. */
export class EventBus {
  private readonly history: NetdEvent[] = [];
  private readonly listeners = new Set<(e: NetdEvent) => void>();

  /** Publishes an event; called by the routes after a change succeeded. */
  emit(type: NetdEvent["Type"], action: string, id: string, attributes: Record<string, string>): void {
    const nowMs = Date.now();
    const event: NetdEvent = { Type: type, Action: action, Actor: { ID: id, Attributes: attributes }, scope: "local", time: Math.floor(nowMs / 1000), timeNano: nowMs * 1_000_000 };
    this.history.push(event);
    if (this.history.length > KEEP) this.history.shift();
    for (const l of this.listeners) l(event);
  }

  /** Kept events with `time` ≥ `sinceSeconds`. */
  since(sinceSeconds: number): NetdEvent[] {
    return this.history.filter((e) => e.time >= sinceSeconds);
  }

  /** Registers a listener; returns the function that removes it. */
  subscribe(listener: (e: NetdEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
