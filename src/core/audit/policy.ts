/**
 * A change of `.github/migration-warden.yml` as the audit reports it: every effective setting that
 * differs, in words ("approval.required: always → risky"), and whether it weakens the gate. What
 * weakens: approval required less often or by fewer people, approvers widened, rules disabled or
 * downgraded, directories removed or re-dialected, the replay off, fewer bytes analysed, the audit
 * narrowed or its issue off.
 */
import type { Config, DirectoryConfig } from "../../config/types.js";
import { ALL_RULES } from "../rules/registry.js";
import { effectiveLevel } from "../rules/types.js";
import type { RuleLevel } from "../types.js";
import { auditedPatterns } from "./branches.js";

export interface PolicyChange {
  /** The setting's key path, e.g. "approval.required". */
  key: string;
  /** Readable, e.g. "always → risky" or "removed dba". */
  change: string;
  weakens: boolean;
}

const REQUIRED_RANK = { never: 0, risky: 1, always: 2 } as const;
const LEVEL_RANK: Record<RuleLevel, number> = { off: 0, notice: 1, warning: 2, error: 3 };

function list(items: readonly string[]): string {
  return items.length === 0 ? "(none)" : items.join(", ");
}

function setDiff(
  key: string,
  before: readonly string[],
  after: readonly string[],
  weakensWhen: "added" | "removed",
  fold = (s: string) => s,
): PolicyChange | null {
  const b = new Set(before.map(fold));
  const a = new Set(after.map(fold));
  const added = after.filter((x) => !b.has(fold(x)));
  const removed = before.filter((x) => !a.has(fold(x)));
  if (added.length === 0 && removed.length === 0) return null;
  const parts = [
    ...(removed.length > 0 ? [`removed ${list(removed)}`] : []),
    ...(added.length > 0 ? [`added ${list(added)}`] : []),
  ];
  return {
    key,
    change: `${parts.join("; ")} (now ${list(after)})`,
    weakens: weakensWhen === "added" ? added.length > 0 : removed.length > 0,
  };
}

function value(
  key: string,
  before: unknown,
  after: unknown,
  weakens: boolean,
): PolicyChange | null {
  if (before === after) return null;
  const show = (v: unknown) => (v === undefined ? "(unset)" : String(v));
  return { key, change: `${show(before)} → ${show(after)}`, weakens };
}

function directoryChanges(
  before: readonly DirectoryConfig[],
  after: readonly DirectoryConfig[],
): PolicyChange[] {
  const out: PolicyChange[] = [];
  const set = setDiff(
    "directories",
    before.map((d) => d.path || "."),
    after.map((d) => d.path || "."),
    "removed",
  );
  if (set) out.push(set);
  for (const b of before) {
    const a = after.find((d) => d.path === b.path);
    if (!a) continue;
    const at = `directories[${b.path || "."}]`;
    // Another dialect runs other rules (clickhouse and cockroachdb run structural ones only).
    const dialect = value(`${at}.dialect`, b.dialect, a.dialect, true);
    const multi = value(`${at}.multiStatement`, b.multiStatement, a.multiStatement, false);
    const version = value(`${at}.databaseVersion`, b.databaseVersion, a.databaseVersion, false);
    // Raising it lets more merged migrations be deleted with a warning instead of an error.
    const squash = value(
      `${at}.squashedBelow`,
      b.squashedBelow,
      a.squashedBelow,
      a.squashedBelow !== undefined &&
        (b.squashedBelow === undefined || BigInt(a.squashedBelow) > BigInt(b.squashedBelow)),
    );
    for (const c of [dialect, multi, version, squash]) if (c) out.push(c);
  }
  return out;
}

/** Every effective setting that differs between two configurations. */
export function policyChanges(
  before: Config,
  after: Config,
  defaultBranch: string,
): PolicyChange[] {
  const out: PolicyChange[] = [];
  const push = (c: PolicyChange | null) => {
    if (c) out.push(c);
  };
  out.push(...directoryChanges(before.directories, after.directories));

  for (const meta of ALL_RULES) {
    const b: RuleLevel = effectiveLevel(before.rules, meta);
    const a: RuleLevel = effectiveLevel(after.rules, meta);
    push(value(`rules.${meta.id}`, b, a, LEVEL_RANK[a] < LEVEL_RANK[b]));
  }

  const [ba, aa] = [before.approval, after.approval];
  push(
    value(
      "approval.required",
      ba.required,
      aa.required,
      REQUIRED_RANK[aa.required] < REQUIRED_RANK[ba.required],
    ),
  );
  const lower = (s: string) => s.toLowerCase();
  push(setDiff("approval.teams", ba.teams, aa.teams, "added", lower));
  // A pinned entry names an account: changing or removing its id changes who approves.
  const users = (p: Config["approval"]) =>
    p.users.map((u) => {
      const id = p.userIds?.[u.toLowerCase()];
      return id === undefined ? u : `${u} (account ${id})`;
    });
  push(setDiff("approval.users", users(ba), users(aa), "added", lower));
  // No teams and no users: repository admins and maintainers approve (FALLBACK_ROLES), a
  // different and usually wider set than the named approvers.
  const named = (p: Config["approval"]) => p.teams.length + p.users.length > 0;
  if (named(ba) && !named(aa))
    out.push({
      key: "approval.teams/users",
      change: "named approvers removed: repository admins and maintainers approve instead",
      weakens: true,
    });
  push(value("approval.count", ba.count, aa.count, aa.count < ba.count));
  push(value("approval.allowAuthor", ba.allowAuthor, aa.allowAuthor, aa.allowAuthor));
  push(
    value(
      "approval.allowContributors",
      ba.allowContributors,
      aa.allowContributors,
      aa.allowContributors,
    ),
  );

  push(value("replay.enabled", before.replay.enabled, after.replay.enabled, !after.replay.enabled));
  push(value("replay.databaseUrl", before.replay.databaseUrl, after.replay.databaseUrl, false));
  for (const k of ["statementTimeoutMs", "timeBudgetMs"] as const)
    push(value(`replay.${k}`, before.replay[k], after.replay[k], false));
  // Files over the limit are reported instead of analysed: a lower limit analyses less.
  push(
    value(
      "limits.maxFileBytes",
      before.limits.maxFileBytes,
      after.limits.maxFileBytes,
      after.limits.maxFileBytes < before.limits.maxFileBytes,
    ),
  );
  push(
    setDiff(
      "audit.branches",
      auditedPatterns(before.audit, defaultBranch),
      auditedPatterns(after.audit, defaultBranch),
      "removed",
    ),
  );
  push(value("audit.issue", before.audit.issue, after.audit.issue, !after.audit.issue));
  // `drift` is the CLI's comparison with a live database, not part of the gate.
  const drift = setDiff("drift.ignore", before.drift.ignore, after.drift.ignore, "added");
  if (drift) out.push({ ...drift, weakens: false });
  push(
    value(
      "drift.statementTimeoutMs",
      before.drift.statementTimeoutMs,
      after.drift.statementTimeoutMs,
      false,
    ),
  );
  push(
    value(
      "drift.migrationsAccount",
      before.drift.migrationsAccount,
      after.drift.migrationsAccount,
      false,
    ),
  );
  return out;
}
