import { ruleMeta } from "../types.js";
import { builtin, checkTypes } from "./column-types.js";
import { PG, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "ban-char-type",
  defaultSeverity: "warning",
  optIn: true,
  dialects: PG,
  category: "style",
  description:
    "A column or domain is char(n)/character(n): values are padded with spaces to n, trailing spaces are ignored in comparisons but not by every client or function, and it is no faster than text.",
  saferAlternative:
    "Use text (with CHECK (char_length(col) = n) when the length is a rule of the data).",
  suppressible: true,
});

export const banCharType = sqlRule({
  meta,
  check(ctx, report) {
    checkTypes(ctx, report, (p) => {
      // char(n) is bpchar; "char" (quoted) is the internal one-byte type, a different thing.
      if (!builtin(p.type, "bpchar")) return null;
      const n = p.type.mods[0];
      return {
        message: `The ${p.what} is ${p.written}: Postgres pads every value with spaces${n ? ` to ${n} characters` : ""}, compares ignoring trailing spaces but returns them to clients (and LIKE, regular expressions and concatenation see them), and stores it no more compactly than text.`,
        suggestion: n
          ? `Use text, with CHECK (char_length(...) = ${n}) if every value must have exactly ${n} characters.`
          : "Use text (char without a length is char(1)).",
      };
    });
  },
});
