import type { RuleMeta } from "../types.js";

/** Reported for ignore comments naming ids no rule has (typos silently suppress nothing otherwise). */
export const ignoreUnknownRule: RuleMeta = {
  id: "ignore-unknown-rule",
  defaultSeverity: "warning",
  dialects: "all",
  category: "style",
  description:
    "A migration-warden:ignore comment names a rule id that does not exist, so it suppresses nothing for it.",
  saferAlternative: "Copy the rule id from the finding or from docs/rules/.",
  suppressible: false,
};
