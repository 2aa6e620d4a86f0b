import { versionAtLeast } from "../../sql/parse/index.js";
import { ruleMeta } from "../types.js";
import { checkTypes } from "./column-types.js";
import { PG, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "prefer-identity",
  defaultSeverity: "warning",
  optIn: true,
  dialects: PG,
  category: "style",
  description:
    "A column is declared serial/bigserial: its sequence is a separate object with its own ownership and grants, explicit values silently desynchronise it, and copying the table's structure shares the sequence.",
  saferAlternative:
    "Use bigint GENERATED ALWAYS AS IDENTITY (Postgres 10+): the sequence belongs to the column, and inserting an explicit id needs OVERRIDING SYSTEM VALUE.",
  suppressible: true,
});

const SERIAL: Record<string, string> = {
  serial: "integer",
  serial4: "integer",
  bigserial: "bigint",
  serial8: "bigint",
  smallserial: "smallint",
  serial2: "smallint",
};

export const preferIdentity = sqlRule({
  meta,
  check(ctx, report) {
    // Identity columns exist since Postgres 10.
    if (ctx.version !== null && !versionAtLeast(ctx.version, 10)) return;
    checkTypes(ctx, report, (p) => {
      const base = SERIAL[p.type.name];
      // serial is a shorthand, never schema-qualified; `"serial"` quoted is the same word.
      if (!base || p.type.schema !== undefined || p.type.array) return null;
      return {
        message: `The ${p.what} is ${p.written}: a shorthand for ${base} with a default from a separate sequence. Nothing stops an insert with an explicit id, after which the sequence hands out ids that already exist; the sequence needs its own grants; and CREATE TABLE … (LIKE …) copies the default that points at this table's sequence.`,
        suggestion: `Use ${base === "integer" ? "bigint" : base} GENERATED ALWAYS AS IDENTITY (or BY DEFAULT when explicit ids must stay possible).`,
      };
    });
  },
});
