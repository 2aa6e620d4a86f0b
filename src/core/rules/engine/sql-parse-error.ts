import type { RuleMeta } from "../types.js";

/** Reported by the SQL engine itself when a statement cannot be parsed. */
export const sqlParseError: RuleMeta = {
  id: "sql-parse-error",
  defaultSeverity: "warning",
  dialects: "all",
  category: "structure",
  description:
    "A statement the dialect's parser cannot read: no rule could check it, so it needs manual review.",
  saferAlternative:
    "Fix the syntax, or review the statement by hand and suppress with a reason if the database accepts it.",
  suppressible: true,
};
