import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PG, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "create-enum-type",
  defaultSeverity: "notice",
  optIn: true,
  dialects: PG,
  category: "integrity",
  description:
    "CREATE TYPE … AS ENUM: an enum's values can be added and renamed but never removed or reordered, so retiring a value later means a new type and an ALTER COLUMN TYPE that rewrites every table using it under ACCESS EXCLUSIVE.",
  saferAlternative:
    "A lookup table (one row per value) referenced by a foreign key, or text with a CHECK constraint: both change with a plain INSERT/DELETE or a constraint swap (NOT VALID, then VALIDATE).",
  suppressible: true,
});

/**
 * A design policy some teams hold (Eugene W13), hence off by default. Down files are left alone:
 * they recreate a type the up dropped. Nested statements (DO blocks, routine bodies) count: the
 * type exists afterwards all the same.
 */
export const createEnumType = sqlRule({
  meta,
  check(ctx, report) {
    if (ctx.direction === "down") return;
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "create-other" || !m.enumLabels || !m.name) continue;
      const type = displayName(m.name);
      const n = m.enumLabels.length;
      report({
        ...ctx.at(a),
        message: `CREATE TYPE ${type} AS ENUM (${n} value${n === 1 ? "" : "s"}): Postgres can add a value to an enum or rename one, but never remove or reorder one; retiring a value later means creating a new type and changing every column of ${type} to it (ALTER COLUMN … TYPE, which rewrites each table under ACCESS EXCLUSIVE), and a value added with ALTER TYPE … ADD VALUE cannot be used in the transaction that adds it.`,
        suggestion: `Keep the values in a lookup table (CREATE TABLE ${m.name.name}_values (value text PRIMARY KEY)) referenced by a foreign key, or use text with CHECK (col IN (…)); both change with a plain INSERT/DELETE or a constraint swap instead of a table rewrite.`,
      });
    }
  },
});
