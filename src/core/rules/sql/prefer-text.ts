import { ruleMeta } from "../types.js";
import { builtin, checkTypes } from "./column-types.js";
import { PG, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "prefer-text",
  defaultSeverity: "warning",
  optIn: true,
  dialects: PG,
  category: "style",
  description:
    "A column or domain is varchar(n): raising the limit later is cheap, but lowering it, or changing a limit a view or another column depends on, rewrites or rechecks the table under ACCESS EXCLUSIVE; text with a CHECK constraint can be changed without either.",
  saferAlternative:
    "Use text with CHECK (char_length(col) <= n), added NOT VALID and validated separately when the limit changes; or text alone when the limit is not a rule of the data.",
  suppressible: true,
});

export const preferText = sqlRule({
  meta,
  check(ctx, report) {
    checkTypes(ctx, report, (p) => {
      // varchar without a length is text under another name.
      if (!builtin(p.type, "varchar") || p.type.mods.length === 0) return null;
      const n = p.type.mods[0]!;
      return {
        message: `The ${p.what} is ${p.written}: in Postgres varchar(${n}) stores and performs exactly like text, and its only difference is the limit — which is part of the type, so changing it (other than raising it) is an ALTER COLUMN TYPE that takes ACCESS EXCLUSIVE and rewrites or rechecks every row.`,
        suggestion: `Use text with CHECK (char_length(...) <= ${n}) (a constraint can be replaced with NOT VALID + VALIDATE CONSTRAINT without blocking), or plain text.`,
      };
    });
  },
});
