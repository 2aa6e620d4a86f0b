import type { RuleMeta } from "../types.js";

/** Reported for ignore comments that give no reason (they suppress nothing). */
export const ignoreWithoutReason: RuleMeta = {
  id: "ignore-without-reason",
  defaultSeverity: "warning",
  dialects: "all",
  category: "style",
  description:
    "A migration-warden:ignore comment without a reason, without a rule id, or with no statement to apply to; it suppresses nothing.",
  saferAlternative:
    "-- migration-warden:ignore <rule-id> -- <why this is safe>, directly before the statement.",
  suppressible: false,
};
