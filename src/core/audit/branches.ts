/**
 * Which branches the push audit covers (`audit.branches`): glob patterns over branch names, the
 * repository's default branch when the key is absent.
 */
import type { AuditConfig } from "../../config/types.js";
import { globMatcher } from "../glob.js";

/** `*` any run of characters but "/", `**` anything (slashes too), `?` one character but "/". */
export function branchMatcher(patterns: readonly string[]): (branch: string) => boolean {
  return globMatcher(patterns, "/");
}

/** The patterns in effect: the configured ones, or the default branch's name. */
export function auditedPatterns(audit: AuditConfig, defaultBranch: string): string[] {
  return audit.branches ?? [defaultBranch];
}

export function isAuditedBranch(
  audit: AuditConfig,
  branch: string,
  defaultBranch: string,
): boolean {
  return branchMatcher(auditedPatterns(audit, defaultBranch))(branch);
}
