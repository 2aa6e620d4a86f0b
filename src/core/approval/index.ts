/** The DBA approval gate's pure core: what the GitHub adapter calls. */
export * from "./types.js";
export { migrationDigest, DigestInputError, DIGEST_SCHEME } from "./digest.js";
export {
  approvalFactsNeeded,
  approvalNeeded,
  decideApproval,
  combineDecisions,
  approvalCandidates,
  loginsToResolve,
  failedDecision,
  policyRequiresApproval,
  reportFacts,
} from "./decide.js";
export { FALLBACK_ROLES } from "./eligibility.js";
export {
  evaluateButtonClick,
  type ButtonClick,
  type ClickTarget,
  type ClickOutcome,
} from "./click.js";
export {
  baseBinding,
  encodeApprovalRunId,
  parseApprovalRunId,
  readApprovalRun,
  readButtonApproval,
  readShownRun,
  recordTime,
  validRecordTime,
  EXTERNAL_ID_MAX_LENGTH,
  MAX_RECORD_PULL_REQUESTS,
  MAX_KEPT_RUNS,
  type ApprovalRunId,
  type CheckRunFacts,
  type Parsed,
} from "./record.js";
export { decideApprovalRun, type RunMember, type RunVerdict } from "./verdict.js";
export { renderApprovalRun } from "./run-output.js";
export {
  approvalCheckBody,
  renderApprovalSummary,
  escapeMarkdown,
  type ApprovalCheckBody,
} from "./audit.js";
export {
  assessEnforcement,
  isEnforced,
  renderEnforcement,
  GATE_CHECKS,
  type Enforcement,
  type EnforcementFacts,
  type RequiredCheck,
  type RequirementSource,
} from "./enforcement.js";
