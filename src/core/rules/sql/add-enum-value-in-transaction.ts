import { displayName } from "../../sql/model.js";
import { versionAtLeast } from "../../sql/parse/index.js";
import { pgStringValues } from "../../sql/parse/literal.js";
import { ruleMeta } from "../types.js";
import { PG, sqlRule, type Analyzed, type SqlRuleContext } from "./types.js";

const meta = ruleMeta({
  id: "add-enum-value-in-transaction",
  defaultSeverity: "error",
  dialects: PG,
  category: "transaction",
  description:
    "ALTER TYPE … ADD VALUE in a transaction fails before Postgres 12, and on any version the new value cannot be used until that transaction commits.",
  saferAlternative:
    "Put ALTER TYPE … ADD VALUE alone in its own migration file, and use the new value in a later migration.",
  suppressible: true,
});

export const addEnumValueInTransaction = sqlRule({
  meta,
  check(ctx, report) {
    const old = ctx.version !== null && !versionAtLeast(ctx.version, 12);
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "alter-enum" || m.action !== "add-value") continue;
      const how = transaction(ctx, a);
      if (how === null) continue;
      // A type created in the same transaction may be changed and used freely (Postgres checks
      // whether the type's own row is uncommitted).
      if (ctx.origin("other", m.name, a.index) === "file") continue;
      const type = displayName(m.name);
      if (old) {
        report({
          ...ctx.at(a),
          message: `ALTER TYPE ${type} ADD VALUE cannot run inside a transaction block before Postgres 12, and ${how}: the migration fails.`,
        });
        continue;
      }
      const use = ctx.parsed.find(
        (b) => b.index > a.index && sameTransaction(ctx, a, b) && uses(ctx, b, m.value),
      );
      if (!use) continue;
      const at = ctx.at(use);
      report({
        ...ctx.at(a),
        message: `The value '${m.value}' added to ${type} is used on line ${at.startLine} in the same transaction (${how}): Postgres refuses it ("unsafe use of new value"), because a new enum value cannot be used until the transaction that added it commits. The migration fails.`,
      });
    }
  },
});

/** How statement `a` runs inside a transaction block, or null when it does not. */
function transaction(ctx: SqlRuleContext, a: Analyzed): string | null {
  if (a.nested) return "it runs as part of another statement, inside its transaction";
  if (ctx.inExplicitTransaction(a.index)) return "this one sits between BEGIN and COMMIT";
  if (ctx.fileTransaction && ctx.statements.length > 1)
    return `golang-migrate runs this file's ${ctx.statements.length} statements as one transaction`;
  return null;
}

function sameTransaction(ctx: SqlRuleContext, a: Analyzed, b: Analyzed): boolean {
  const ia = Math.floor(a.index);
  const ib = Math.floor(b.index);
  if (ia === ib) return true;
  // A COMMIT or ROLLBACK between them ends the transaction.
  for (let i = ia + 1; i < ib; i++) {
    const m = ctx.statements[i]?.model;
    if (m?.kind === "transaction" && (m.action === "commit" || m.action === "rollback"))
      return false;
  }
  return ctx.fileTransaction || (ctx.inExplicitTransaction(ia) && ctx.inExplicitTransaction(ib));
}

/** Does statement `b` write the value as a string literal ('new', E'new', $$new$$)? */
function uses(ctx: SqlRuleContext, b: Analyzed, value: string): boolean {
  if (b.model.kind === "alter-enum") return false; // ADD VALUE 'x' AFTER 'new' names, not uses
  const text = ctx.textOf(b);
  return text.includes(value.slice(0, 16)) && pgStringValues(text).includes(value);
}
