import { ruleMeta } from "../types.js";
import { PG, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "identifier-too-long",
  defaultSeverity: "warning",
  dialects: PG,
  category: "integrity",
  description:
    "A name the statement creates is longer than 63 bytes: Postgres silently truncates it, so the object's real name differs from the one written and two long names can collide.",
  saferAlternative:
    "Shorten the name to at most 63 bytes (UTF-8: accented and non-Latin letters take 2–4 bytes each).",
  suppressible: true,
});

export const identifierTooLong = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      for (const n of a.model.longNames ?? []) {
        report({
          ...ctx.lines(n.span, a),
          message: `The name "${short(n.written)}" is ${n.bytes} bytes: Postgres keeps only 63 and silently truncates it to "${n.truncated}". Tools and code that look the object up by its full name do not find it, and another long name with the same first 63 bytes collides with it (an error, or with IF NOT EXISTS a silently skipped statement).`,
        });
      }
    }
  },
});

function short(s: string): string {
  return s.length > 100 ? `${s.slice(0, 97)}…` : s;
}
