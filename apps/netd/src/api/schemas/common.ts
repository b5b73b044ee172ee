/** Schemas shared by the Docker-compatible and netd's own endpoints. */
import { z } from "zod";

/** Docker's error body, plus netd's stable error code (clients that know only Docker ignore it). */
export const ErrorBody = z.object({ message: z.string(), code: z.string().optional() }).meta({ id: "ErrorResponse" });

/** `key: value` string maps (labels, options); null means empty, as Go clients send. */
export const StringMap = z.record(z.string(), z.string()).nullish();

/** Path parameter naming an object by id, name or unique id prefix. */
export const IdParams = z.object({ id: z.string().min(1) });

/** Docker's `filters` query parameter: a JSON object `{"name":{"web":true}}` or `{"name":["web"]}`. */
export const FiltersQuery = z.object({ filters: z.string().optional() });

/**
 * Docker's EndpointConfig as the docker CLI sends it (connect, and sandbox creation). Empty
 * strings, zero and `null` mean "not set"; the many read-only fields the CLI echoes back are accepted
 * and ignored.
 */
export const EndpointConfig = z
  .looseObject({
    IPAMConfig: z
      .looseObject({ IPv4Address: z.string().nullish(), IPv6Address: z.string().nullish(), LinkLocalIPs: z.array(z.string()).nullish() })
      .nullish(),
    Aliases: z.array(z.string()).nullish(),
    MacAddress: z.string().nullish(),
    DriverOpts: StringMap,
    GwPriority: z.number().int().nullish(),
  })
  .meta({ id: "EndpointSettings" });
export type EndpointConfigBody = z.infer<typeof EndpointConfig>;
