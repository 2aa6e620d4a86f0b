import { ruleMeta } from "../types.js";
import { sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "unanalyzable-statement",
  defaultSeverity: "warning",
  dialects: ["postgres", "mysql", "cockroachdb"],
  category: "security",
  description:
    "Something runs whose effect cannot be known from the migration's text: dynamic SQL (EXECUTE of a string built at run time, PREPARE … FROM a variable), a call of a routine this change does not create, a body in a language migration-warden cannot read, COPY … PROGRAM, or text whose statements depend on the server's version.",
  saferAlternative:
    "Write the statements out in the migration itself, as static SQL the review can see (or create the routine in the same change); otherwise review what it does by hand and suppress with the reason.",
  suppressible: true,
});

export const unanalyzableStatement = sqlRule({
  meta,
  check(ctx, report) {
    for (const o of ctx.opaque) {
      report({
        ...ctx.lines(o.span),
        message: `${o.what}. No rule can check what it does, and the sandbox replay sees it only if it happens to run there (on empty tables, conditional code does not).${o.note}`,
      });
    }
    for (const r of ctx.readings) {
      if (r.kind !== "server-version") continue;
      report({
        ...ctx.lines(r.span),
        message: `This file reads differently when ${r.label}: MySQL runs the code in a /*!NNNNN … */ comment only on servers of that version or later (MariaDB's /*M!… */ only on MariaDB), so which statements run depends on the server. Read the other way, the file has ${r.statements} other statement${r.statements === 1 ? "" : "s"}; they were analysed too.`,
        suggestion:
          "Set databaseVersion for this directory so the comments are read as your server reads them, or write the statements without version-specific comments.",
      });
    }
  },
});
