import { ruleMeta } from "../types.js";
import { builtin, checkTypes } from "./column-types.js";
import { PG, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "prefer-timestamptz",
  defaultSeverity: "warning",
  optIn: true,
  dialects: PG,
  category: "style",
  description:
    "A column or domain is timestamp without time zone: it stores a wall-clock reading with no zone, so the same value means different instants to sessions with different TimeZone settings, and comparisons with now() shift with the server's zone.",
  saferAlternative:
    "Use timestamptz (timestamp with time zone): it stores an instant and converts on input and output; changing a column later from timestamp to timestamptz rewrites the table unless its TimeZone is UTC.",
  suppressible: true,
});

export const preferTimestamptz = sqlRule({
  meta,
  check(ctx, report) {
    checkTypes(ctx, report, (p) => {
      if (!builtin(p.type, "timestamp")) return null;
      const precision = p.type.mods.length > 0 ? `(${p.type.mods[0]})` : "";
      return {
        message: `The ${p.what} is ${p.written} (without time zone): a value is read relative to each session's TimeZone, so clients in different zones, a server moved to another zone, or daylight-saving changes make the same row mean different instants.`,
        suggestion: `Use timestamptz${precision}${p.type.array ? "[]" : ""} (timestamp with time zone): it stores an instant.`,
      };
    });
  },
});
