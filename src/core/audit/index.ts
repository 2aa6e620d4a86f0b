/** The push audit's pure core (`migration-warden/audit`). */
export { branchMatcher, auditedPatterns, isAuditedBranch } from "./branches.js";
export { policyChanges, type PolicyChange } from "./policy.js";
export * from "./verdict.js";
