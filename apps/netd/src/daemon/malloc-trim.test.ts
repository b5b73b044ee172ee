import { afterEach, describe, expect, it, vi } from "vitest";
import { EventBus } from "../api/events.js";
import { trimAfterChanges } from "./malloc-trim.js";

describe("trimAfterChanges", () => {
  afterEach(() => void vi.useRealTimers());

  it("trims once per burst, a delay after its first event, and never after stop", () => {
    vi.useFakeTimers();
    const events = new EventBus();
    const trim = vi.fn();
    const stop = trimAfterChanges(events, trim, 1000);
    vi.advanceTimersByTime(5000);
    expect(trim).not.toHaveBeenCalled();
    for (let i = 0; i < 50; i++) events.emit("network", "connect", "n", {});
    vi.advanceTimersByTime(999);
    expect(trim).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(trim).toHaveBeenCalledTimes(1);
    events.emit("sandbox", "destroy", "s", {});
    stop();
    vi.advanceTimersByTime(5000);
    expect(trim).toHaveBeenCalledTimes(1);
  });
});
