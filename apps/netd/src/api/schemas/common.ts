/** Schemas shared by the Docker-compatible and netd's own endpoints. */
import { z } from "zod";

/** Docker's error body. */
export const ErrorBody = z.object({ message: z.string() }).meta({ id: "ErrorResponse" });

/** `key: value` string maps (labels, options); null means empty, as Go clients send. */
export const StringMap = z.record(z.string(), z.string()).nullish();

/** Path parameter naming an object by id, name or unique id prefix. */
export const IdParams = z.object({ id: z.string().min(1) });

/** Docker's `filters` query parameter: a JSON object `{"name":{"web":true}}` or `{"name":["web"]}`. */
export const FiltersQuery = z.object({ filters: z.string().optional() });

/**
 * Docker's EndpointConfig as the docker CLI sends it (connect, and sandbox creation). Empty
 * strings and zero mean "not set"; the many read-only fields the CLI echoes back are accepted
 * and ignored.
 */
export const EndpointConfig = z
  .looseObject({
    IPAMConfig: z
      .looseObject({ IPv4Address: z.string().optional(), IPv6Address: z.string().optional(), LinkLocalIPs: z.array(z.string()).nullish() })
      .nullish(),
    Aliases: z.array(z.string()).nullish(),
    MacAddress: z.string().optional(),
    DriverOpts: StringMap,
    GwPriority: z.number().int().optional(),
  })
  .meta({ id: "EndpointSettings" });
export type EndpointConfigBody = z.infer<typeof EndpointConfig>;
