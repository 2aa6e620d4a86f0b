import { ruleMeta } from "../types.js";
import { builtin, checkTypes } from "./column-types.js";
import { PG, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "json-instead-of-jsonb",
  defaultSeverity: "notice",
  dialects: PG,
  category: "integrity",
  description:
    "A column or domain is json rather than jsonb: json keeps the text as written and parses it again on every access, has no equality operator (DISTINCT, GROUP BY, UNION and unique constraints on it fail) and no GIN index support.",
  saferAlternative:
    "Use jsonb, unless the exact text (key order, duplicate keys, whitespace) must be kept; converting a json column later is an ALTER COLUMN TYPE that rewrites the table under ACCESS EXCLUSIVE.",
  suppressible: true,
});

/**
 * A design notice: the type is chosen where the column is created, so new tables are reported
 * too (that is when switching costs nothing). Down files are left alone (typedPlaces): they
 * restore what an up replaced.
 */
export const jsonInsteadOfJsonb = sqlRule({
  meta,
  check(ctx, report) {
    checkTypes(ctx, report, (p) => {
      if (!builtin(p.type, "json")) return null;
      return {
        message: `The ${p.what} is ${p.written}: Postgres stores json as the text written and parses it again on every access to a key, has no equality operator for it (so =, SELECT DISTINCT, GROUP BY, UNION and any btree or GIN index on the column fail); changing the type later rewrites the table under ACCESS EXCLUSIVE.`,
        suggestion: `Use jsonb${p.type.array ? "[]" : ""}, unless the exact input text (key order, duplicate keys, whitespace) must be kept.`,
      };
    });
  },
});
