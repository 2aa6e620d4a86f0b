import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { PG, alterActions, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "validate-in-same-transaction",
  defaultSeverity: "warning",
  dialects: PG,
  category: "locking",
  description:
    "VALIDATE CONSTRAINT in the same transaction as its ADD … NOT VALID keeps the ADD's lock during the whole validation scan.",
  saferAlternative:
    "Put VALIDATE CONSTRAINT in a later migration file, so the scan runs under its weaker SHARE UPDATE EXCLUSIVE lock.",
  suppressible: true,
});

export const validateInSameTransaction = sqlRule({
  meta,
  check(ctx, report) {
    for (const { a, table, action } of alterActions(ctx)) {
      if (action.type !== "validate-constraint") continue;
      const added = ctx.find("constraint", { name: action.name }, a.index, table);
      if (!added || added.file !== ctx.file || !added.notValid) continue;
      if (ctx.isNew("table", table, a.index)) continue;
      // Same transaction: the file's implicit one, or one explicit BEGIN … COMMIT block.
      const sameTx =
        ctx.fileTransaction ||
        (ctx.inExplicitTransaction(a.index) &&
          ctx.inExplicitTransaction(added.statement) &&
          !ctx.statements
            .slice(added.statement, a.index)
            .some((s) => s.model?.kind === "transaction"));
      if (!sameTx) continue;
      report({
        ...ctx.lines(action.span, a),
        message: `VALIDATE CONSTRAINT ${action.name} runs in the same transaction as the ADD CONSTRAINT … NOT VALID on ${displayName(table)} (line ${ctx.statements[Math.floor(added.statement)]?.startLine ?? "?"}), so the ADD's lock is held for the whole validation scan and NOT VALID gains nothing.`,
      });
    }
  },
});
