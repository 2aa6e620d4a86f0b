import { ruleMeta } from "../types.js";
import { builtin, checkTypes } from "./column-types.js";
import { PG, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "prefer-bigint",
  defaultSeverity: "warning",
  optIn: true,
  dialects: PG,
  category: "style",
  description:
    "A key column (primary key, serial or identity, or a foreign key) is smallint or integer: ids that grow with the table run out at 32 767 or 2 147 483 647, and widening the column later rewrites the table (and every table referencing it) under ACCESS EXCLUSIVE.",
  saferAlternative:
    "Declare ids and the columns that reference them as bigint (bigint GENERATED ALWAYS AS IDENTITY, or bigserial): 8 bytes instead of 4 costs little next to a rewrite under load.",
  suppressible: true,
});

const SMALL: Record<string, string> = {
  int2: "smallint",
  int4: "integer",
  serial: "serial",
  serial4: "serial",
  serial2: "smallserial",
  smallserial: "smallserial",
};

export const preferBigint = sqlRule({
  meta,
  check(ctx, report) {
    checkTypes(ctx, report, (p) => {
      const name = SMALL[p.type.name];
      if (!name || p.type.array || !builtin(p.type, p.type.name)) return null;
      const serial = p.type.name.includes("serial");
      if (serial && p.type.schema !== undefined) return null; // serial is no real type
      // Only columns whose values grow with a table's row count (see the rule's page).
      const role = p.primaryKey
        ? "a primary key"
        : serial || p.column?.generated === "identity"
          ? "filled from a sequence"
          : p.foreignKey
            ? "a foreign key (it holds another table's ids)"
            : null;
      if (!role) return null;
      const max = name.startsWith("small") ? "32 767" : "2 147 483 647";
      return {
        message: `The ${p.what} is ${p.written} and ${role}: its values grow with the table and stop at ${max} (inserts then fail), and widening it to bigint later rewrites the table under ACCESS EXCLUSIVE.`,
        suggestion: serial
          ? "Use bigint GENERATED ALWAYS AS IDENTITY (or bigserial)."
          : "Use bigint (and bigint in the columns that reference it).",
      };
    });
  },
});
