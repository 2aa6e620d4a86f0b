import { hasEffects, type Effects } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PG, sqlRule } from "./types.js";

/**
 * PL/pgSQL EXECUTE of text that pastes a variable or parameter in unquoted (`'DROP TABLE ' || t`,
 * `format('… %s …', t)`), in DO blocks and in the bodies of functions and procedures the file
 * creates (whether or not anything calls them yet). The statement model marks the piece
 * (`Opaque.unquoted`, parse/postgres/dynamic-sql.ts).
 */
const meta = ruleMeta({
  id: "dynamic-sql-injection",
  defaultSeverity: "warning",
  dialects: PG,
  category: "security",
  description:
    "Dynamic SQL built by pasting a variable into the statement text: a value holding a quote, a space or a semicolon changes what runs.",
  saferAlternative:
    "Quote what goes into the text: format('%I', name) or quote_ident(name) for identifiers, format('%L', v) or quote_literal(v) for values; better, pass values with EXECUTE … USING.",
  suppressible: true,
});

export const dynamicSqlInjection = sqlRule({
  meta,
  check(ctx, report) {
    for (const a of ctx.parsed) {
      if (a.nested) continue; // a nested statement's effects are merged into its container's
      const m = a.model;
      const sources: Effects[] = [];
      if (hasEffects(m.effects)) sources.push(m.effects);
      if (m.kind === "create-routine") sources.push(m.body);
      for (const e of sources)
        for (const o of e.opaque) {
          if (!o.unquoted) continue;
          const where =
            m.kind === "create-routine" ? `the body of ${m.name.name}()` : "this statement";
          report({
            ...ctx.lines(o.span),
            message: `EXECUTE in ${where} pastes ${o.unquoted} into the SQL text unquoted: a value holding a quote, a space or a semicolon changes the statement that runs (SQL injection, or a failure on a name that needs quoting), unless it can only ever be a number.`,
          });
        }
    }
  },
});
