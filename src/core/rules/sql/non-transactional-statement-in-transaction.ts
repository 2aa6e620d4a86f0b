import { ruleMeta } from "../types.js";
import { PG, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "non-transactional-statement-in-transaction",
  defaultSeverity: "error",
  dialects: PG,
  category: "transaction",
  description:
    "A statement Postgres refuses inside a transaction block (CREATE INDEX CONCURRENTLY, VACUUM, …) shares its file with other statements or sits between BEGIN and COMMIT, so the migration fails.",
  saferAlternative:
    "Put the statement alone in its own migration file (comments are fine), with no BEGIN/COMMIT around it; or enable x-multi-statement for the directory.",
  suppressible: true,
});

export const nonTransactionalStatementInTransaction = sqlRule({
  meta,
  check(ctx, report) {
    const others = ctx.statements.length - 1;
    for (const a of ctx.parsed) {
      const what = a.model.nonTransactional;
      if (!what) continue;
      if (ctx.inExplicitTransaction(a.index)) {
        report({
          ...ctx.at(a),
          message: `${what} cannot run inside a transaction block, and this one sits between BEGIN and COMMIT: Postgres rejects it (error 25001) and the migration fails.`,
        });
      } else if (ctx.fileTransaction && others > 0) {
        report({
          ...ctx.at(a),
          message: `${what} cannot run inside a transaction block. golang-migrate sends this file's ${others + 1} statements as one query, which Postgres runs as a single implicit transaction, so the migration fails (error 25001). It works only alone in its file.`,
        });
      }
    }
  },
});
