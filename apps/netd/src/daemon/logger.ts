/** The daemon's pino logger (JSON lines on stdout) and its adapter to drivers' Logger. */
import type { Logger } from "@netd/driverapi";
import { pino } from "pino";
import type { Logger as PinoLogger } from "pino";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Creates the root logger; every line carries `svc: "netd"` and the pid. */
export function createLogger(level: LogLevel): PinoLogger {
  return pino({ level, base: { svc: "netd", pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** The Logger interface of @netd/driverapi on top of pino (fields first, as pino wants). */
export function driverLogger(log: PinoLogger): Logger {
  return {
    debug: (m, f) => log.debug(f ?? {}, m),
    info: (m, f) => log.info(f ?? {}, m),
    warn: (m, f) => log.warn(f ?? {}, m),
    error: (m, f) => log.error(f ?? {}, m),
  };
}
