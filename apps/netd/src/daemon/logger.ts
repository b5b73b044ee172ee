/**
 * The daemon's pino logger and its adapter to drivers' Logger. On a terminal the lines are
 * for a human (`12:00:01.234 INFO  netd ready socket=/run/netd/netd.sock`); otherwise JSON
 * lines for log collectors, as before.
 */
import type { Logger } from "@netd/driverapi";
import { pino } from "pino";
import type { DestinationStream, Logger as PinoLogger } from "pino";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const NAMES: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };
const COLORS: Record<number, string> = { 10: "90", 20: "36", 30: "32", 40: "33", 50: "31", 60: "41" };
const HIDDEN = new Set(["level", "time", "msg", "svc", "pid", "hostname"]);

/** One pino JSON line as a human reads it: time, level, message, then the fields as key=value. */
export function prettyLine(json: string, color: boolean): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const level = typeof rec.level === "number" ? rec.level : 30;
  const name = (NAMES[level] ?? String(level)).padEnd(5);
  const time = typeof rec.time === "string" ? rec.time.slice(11, 23) : "";
  const fields = Object.entries(rec)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${k}=${typeof v === "string" && !/\s/.test(v) ? v : JSON.stringify(v)}`)
    .join(" ");
  const tag = color ? `\u001b[${COLORS[level] ?? "0"}m${name}\u001b[0m` : name;
  return `${time} ${tag} ${typeof rec.msg === "string" ? rec.msg : ""}${fields ? `  ${fields}` : ""}\n`;
}

/** A destination that writes pretty lines to `out`. */
export function prettyStream(out: NodeJS.WriteStream, color: boolean): DestinationStream {
  return { write: (line: string) => void out.write(prettyLine(line, color)) };
}

/** Creates the root logger; every line carries `svc: "netd"` and the pid. `pretty` defaults to stdout being a terminal. */
export function createLogger(level: LogLevel, pretty: boolean = process.stdout.isTTY === true): PinoLogger {
  const options = { level, base: { svc: "netd", pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
  return pretty ? pino(options, prettyStream(process.stdout, process.env.NO_COLOR === undefined)) : pino(options);
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
