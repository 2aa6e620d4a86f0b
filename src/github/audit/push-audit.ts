/**
 * The push audit (`migration-warden/audit`, issue 12 §2): every push to an audited branch that
 * touches a configured migration directory (its files, its path or an ancestor's) or the policy
 * file gets a check run on the pushed tip saying whether each migration change was approved.
 *
 * The configuration is read from the branch before the push (the default branch's tip for a new
 * branch), never from what the push brings: a push must not switch its own audit off. What the
 * push brings is compared with `before`, or with the merge base for a force push or a new branch.
 * Anything that cannot be resolved fails the audit with the reason (fail closed).
 */
import { ConfigError, defaultConfig } from "../../config/load.js";
import type { Config, DirectoryConfig } from "../../config/types.js";
import { migrationChanges } from "../../changeset/build.js";
import { directoryOf } from "../../core/migrations/directory.js";
import { parseMigrationName } from "../../core/migrations/filename.js";
import {
  altersMergedMigration,
  auditConclusion,
  AUDIT_CHECK_NAME,
  isAuditedBranch,
  policyChanges,
  renderAudit,
  type AuditFacts,
  type AuditFile,
  type CoveredFile,
  type PolicyReport,
} from "../../core/audit/index.js";
import type { ChangedFile } from "../../core/types.js";
import { escapeMarkdown } from "../../core/approval/index.js";
import { codeSpan, inlineCode } from "../../core/report/markdown.js";
import { ApprovalReader } from "../approval/reader.js";
import { treeDiff } from "../changeset.js";
import { CheckRun } from "../checks/check-run.js";
import { describeError } from "../errors.js";
import { resolveBranch, TreeReader } from "../git.js";
import type { PushContext, PushFacts, PushReaction } from "../push.js";
import {
  approvalAt,
  mergedPullRequests,
  type ApprovalSource,
  type ApprovedHead,
} from "./approvals.js";
import { configAt, configBlob } from "./config-at.js";
import { recordFindings } from "./issue.js";
import { compare, entryAt, sameEntry, type PushedCommit } from "./pushed.js";

/** Pushed commits the audit reads one by one (to attribute files, find merged pull requests). */
export const MAX_AUDITED_COMMITS = 100;
function auditFile(c: ChangedFile, commit: string | null): AuditFile {
  return {
    path: c.path,
    status: c.status,
    commit,
    ...(c.previousPath !== undefined ? { previousPath: c.previousPath } : {}),
  };
}

export const auditPush: PushReaction = async (ctx) => {
  const { push } = ctx;
  if (push.branch === null) return;
  const trees = ctx.trees ?? new TreeReader(ctx.octokit, push.repo);
  if (push.after === null) {
    if (push.before !== null) await auditDeletion(ctx, push, trees, push.before);
    return;
  }
  let policy: PolicyBefore | null;
  try {
    policy = await policyBefore(ctx, push, trees);
  } catch (err) {
    // Whether another branch is audited is unknown without its policy; the default branch always
    // is, unless its policy says otherwise, so it gets the failure.
    if (push.branch === push.defaultBranch) await incomplete(ctx, push as Audited, err);
    throw err;
  }
  if (policy === null) return;
  let facts: AuditFacts | null;
  try {
    facts = await audit(ctx, push as Audited, trees, policy);
  } catch (err) {
    await incomplete(ctx, push as Audited, err);
    throw err;
  }
  if (facts === null) return;
  if (policy.config.audit.issue && auditConclusion(facts) === "failure") {
    const note = await recordFindings(ctx.octokit, push.repo, facts, ctx.log, await ctx.appId());
    if (note !== null) facts.notes.push(note);
  }
  await writeAudit(ctx, push as Audited, {
    conclusion: auditConclusion(facts),
    ...renderAudit(facts),
  });
};

type Audited = PushFacts & { branch: string; after: string };

/** New migration files whose version is not above the highest one their directory had at `base`. */
async function belowLatest(
  trees: TreeReader,
  base: string,
  changes: readonly ChangedFile[],
  dirs: readonly DirectoryConfig[],
  commitOf: (c: ChangedFile) => string | null,
): Promise<AuditFile[]> {
  const out: AuditFile[] = [];
  const latest = new Map<string, bigint | null>();
  for (const c of changes) {
    if (c.status !== "added" && c.status !== "renamed") continue;
    const dir = directoryOf(c.path, dirs);
    const parsed = dir ? parseMigrationName(c.path.slice(c.path.lastIndexOf("/") + 1)) : null;
    if (!dir || !parsed) continue;
    if (!latest.has(dir.path)) {
      const listing = await trees.listDirectory(
        await trees.commitTree(base),
        dir.path,
        `commit ${base}`,
      );
      let max: bigint | null = null;
      for (const e of listing.entries ?? []) {
        const v = e.kind === "file" ? parseMigrationName(e.name)?.version : undefined;
        if (v !== undefined && (max === null || v > max)) max = v;
      }
      latest.set(dir.path, max);
    }
    const max = latest.get(dir.path)!;
    if (max !== null && parsed.version <= max) out.push(auditFile(c, commitOf(c)));
  }
  return out;
}

/**
 * An audited branch deleted: re-created later, it is compared with the default branch, so
 * migration content it held that the default branch lacks would leave without any audit. That
 * content is reported as a failure on the deleted tip; a branch holding nothing else writes nothing.
 */
async function auditDeletion(
  ctx: PushContext,
  push: PushFacts,
  trees: TreeReader,
  tip: string,
): Promise<void> {
  // GitHub never deletes the default branch; nothing to compare it with either.
  if (push.branch === push.defaultBranch) return;
  const policy = await policyBefore(ctx, push, trees);
  if (policy === null) return;
  const dirs = policy.config.directories;
  const target = { ...push, branch: push.branch!, after: tip };
  try {
    const main = await resolveBranch(ctx.octokit, push.repo, push.defaultBranch);
    const listed = await treeDiff(trees, main.sha, tip)(dirs.map((d) => d.path));
    const only = migrationChanges(listed.changes, dirs).filter((c) => c.status !== "removed");
    if (only.length === 0 && listed.incomplete.length === 0) return;
    const who =
      push.sender && push.sender !== push.pusher ? `${push.pusher} (@${push.sender})` : push.pusher;
    await writeAudit(ctx, target, {
      conclusion: "failure",
      title: "Audited branch deleted with migrations the default branch lacks",
      summary: [
        `${escapeMarkdown(who ?? "Someone")} deleted ${codeSpan(push.branch!)}. Its tip holds migration content that ${escapeMarkdown(push.defaultBranch)} does not; a branch re-created under this name is audited against ${escapeMarkdown(push.defaultBranch)}, so this history would be dropped without an audit:`,
        "",
        ...only.map(
          (c) =>
            `- ${inlineCode(c.path)} (${c.status} compared with ${escapeMarkdown(push.defaultBranch)})`,
        ),
        ...listed.incomplete.map((r) => `- not checked: ${escapeMarkdown(r)}`),
      ].join("\n"),
    });
  } catch (err) {
    await incomplete(ctx, target, err);
    throw err;
  }
}

/** Fail closed: the audit could not complete; the error is rethrown by the caller. */
async function incomplete(ctx: PushContext, push: Audited, err: unknown): Promise<void> {
  await writeAudit(ctx, push, {
    conclusion: "failure",
    title: "Audit incomplete",
    summary: `The audit of this push could not complete, so it fails closed: ${escapeMarkdown(describeError(err))}\n\nRe-deliver the push event, or review the push by hand.`,
  }).catch((writeErr: unknown) =>
    ctx.log.error({ err: writeErr }, "writing the failed audit failed too"),
  );
}

interface PolicyBefore {
  /** The configuration in force before the push (defaults when unreadable, see problem). */
  config: Config;
  /** Where it was read: `before`, or the default branch's tip for a new branch. */
  sha: string;
  /** Why it could not be read: the audit then fails. */
  problem: string | null;
}

/**
 * The policy before the push, when it audits this branch; null when it does not. An invalid
 * file audits the default branch (the default of `audit.branches`) and fails there.
 */
async function policyBefore(
  ctx: PushContext,
  push: PushFacts,
  trees: TreeReader,
): Promise<PolicyBefore | null> {
  const branch = push.branch!;
  const sha = push.before ?? (await resolveBranch(ctx.octokit, push.repo, push.defaultBranch)).sha;
  const ref = push.before === null ? push.defaultBranch : `${branch} before the push`;
  const read = await configAt(ctx.octokit, push.repo, trees, sha, ref);
  const config = read instanceof ConfigError ? defaultConfig() : read;
  const problem =
    read instanceof ConfigError
      ? `the configuration in force before the push is invalid (${read.message}), so the migration directories are unknown`
      : null;
  if (!isAuditedBranch(config.audit, branch, push.defaultBranch)) {
    ctx.log.debug({ branch }, "push to a branch the audit does not cover");
    return null;
  }
  return { config, sha, problem };
}

async function audit(
  ctx: PushContext,
  push: Audited,
  trees: TreeReader,
  policy: PolicyBefore,
): Promise<AuditFacts | null> {
  const { octokit, repo } = { octokit: ctx.octokit, repo: push.repo };
  const dirs = policy.config.directories;
  const dirPaths = dirs.map((d) => d.path);
  const unresolved: string[] = policy.problem !== null ? [policy.problem] : [];

  // What the push is compared with.
  const cmp = await compare(octokit, repo, policy.sha, push.after);
  for (const c of cmp.commits) trees.knowCommitTree(c.sha, c.tree);
  const how: AuditFacts["base"]["how"] =
    push.before === null
      ? "created"
      : push.forced || cmp.mergeBase !== push.before
        ? "merge-base"
        : "before";
  const base = how === "before" ? push.before! : cmp.mergeBase;
  const forced = push.forced || (push.before !== null && how === "merge-base");

  const listed = await treeDiff(trees, base, push.after)(dirPaths);
  unresolved.push(...listed.incomplete);
  const changes = migrationChanges(listed.changes, dirs);
  let dropped: ChangedFile[] = [];
  if (forced && push.before !== null && push.before !== base) {
    // The old tip may be gone from GitHub after a force push: then it cannot be checked.
    try {
      const old = await treeDiff(trees, base, push.before)(dirPaths);
      unresolved.push(...old.incomplete);
      dropped = migrationChanges(old.changes, dirs);
    } catch (err) {
      unresolved.push(
        `the overwritten tip ${push.before} could not be read, so the history the force push drops is unknown: ${describeError(err)}`,
      );
    }
  }
  const [blobBefore, blobAfter] = await Promise.all([
    configBlob(trees, policy.sha),
    configBlob(trees, push.after),
  ]);
  const configChanged = blobBefore !== blobAfter;
  if (changes.length === 0 && dropped.length === 0 && !configChanged && unresolved.length === 0)
    return null;

  // The pushed commits: which one last changed each file, and which merged pull requests they are.
  const pushed = new Set(cmp.commits.map((c) => c.sha));
  if (cmp.total > cmp.commits.length)
    unresolved.push(
      `GitHub listed ${cmp.commits.length} of the push's ${cmp.total} commits; approvals of the others cannot be found`,
    );
  const readable = cmp.commits.slice(-MAX_AUDITED_COMMITS);
  if (readable.length < cmp.commits.length)
    ctx.log.info({ commits: cmp.commits.length }, "auditing the newest commits of a long push");
  const lastChange = new Map<string, string>();
  const touching: PushedCommit[] = [];
  const configCommits: PushedCommit[] = [];
  for (const c of readable) {
    const parent = c.parents[0];
    if (parent === undefined) continue;
    const diff = await treeDiff(trees, parent, c.sha)(dirPaths);
    const mine = migrationChanges(diff.changes, dirs);
    for (const f of mine) {
      lastChange.set(f.path, c.sha);
      if (f.previousPath !== undefined) lastChange.set(f.previousPath, c.sha);
    }
    const policyEdit =
      configChanged && (await configBlob(trees, parent)) !== (await configBlob(trees, c.sha));
    if (policyEdit) configCommits.push(c);
    if (mine.length > 0 || policyEdit) touching.push(c);
  }
  const commitOf = (c: ChangedFile) =>
    lastChange.get(c.path) ?? (c.previousPath ? lastChange.get(c.previousPath) : undefined) ?? null;

  const askFor = [...new Set([...touching.map((c) => c.sha), push.after])];
  const nodes = new Map(cmp.commits.map((c) => [c.sha, c.nodeId]));
  const withIds = askFor.flatMap((sha) => {
    const nodeId = nodes.get(sha);
    return nodeId ? [{ sha, nodeId }] : [];
  });
  const merged = await mergedPullRequests(octokit, repo, push.branch, withIds, pushed);

  // Approved heads: merged pull requests' heads, and pushed commits themselves (a merge queue's
  // group head is the commit that lands).
  const reader = new ApprovalReader(octokit, repo, trees, await ctx.appId());
  // What may cover what (issue 12): a merged pull request's head by that pull request's own
  // approval record; a pushed commit only by a merge queue's group run. A pull request's record
  // on a pushed commit (an open or closed, never merged pull request's head) covers nothing.
  const candidates = new Map<string, ApprovalSource>();
  for (const m of merged) candidates.set(m.headSha, { kind: "pull-request", number: m.number });
  for (const sha of askFor) if (!candidates.has(sha)) candidates.set(sha, { kind: "group" });
  const approved: ApprovedHead[] = [];
  const altered: AuditFile[] = [];
  const toCover = changes.filter((c) => {
    if (!altersMergedMigration(c, dirs)) return true;
    altered.push(auditFile(c, commitOf(c)));
    return false;
  });
  if (toCover.length > 0)
    for (const [sha, source] of candidates) {
      const a = await approvalAt(octokit, repo, reader, sha, push.branch, dirs, source);
      if (a.ok) approved.push(a.head);
      else ctx.log.info({ sha, reason: a.reason }, "no approval covering the push there");
    }

  const covered: CoveredFile[] = [];
  const uncovered: AuditFile[] = [];
  for (const c of toCover) {
    const paths = [c.path, ...(c.previousPath !== undefined ? [c.previousPath] : [])];
    const pushedEntries = await Promise.all(paths.map((p) => entryAt(trees, push.after, p)));
    let by: ApprovedHead | null = null;
    for (const h of approved) {
      const there = await Promise.all(paths.map((p) => entryAt(trees, h.sha, p)));
      if (there.every((e, i) => sameEntry(e, pushedEntries[i]!))) {
        by = h;
        break;
      }
    }
    const file = auditFile(c, commitOf(c));
    if (by !== null) covered.push({ ...file, by });
    else uncovered.push(file);
  }

  // Directories the push's own configuration adds: their files become migrations by this very push,
  // and no approval reviewed them as such (an approval's digest covers the base's directories).
  // Read once: the policy report below shows the same file.
  const configAfter = configChanged
    ? await configAt(octokit, repo, trees, push.after, push.branch)
    : null;
  if (configAfter !== null) {
    const after = configAfter;
    const added =
      after instanceof ConfigError
        ? []
        : after.directories.filter((d) => !dirPaths.includes(d.path));
    if (added.length > 0) {
      const listedNew = await treeDiff(trees, base, push.after)(added.map((d) => d.path));
      unresolved.push(...listedNew.incomplete);
      for (const c of migrationChanges(listedNew.changes, added))
        if (!changes.some((x) => x.path === c.path)) uncovered.push(auditFile(c, null));
    }
  }

  const outOfOrder = await belowLatest(trees, base, changes, dirs, commitOf);

  const facts: AuditFacts = {
    branch: push.branch,
    before: push.before,
    after: push.after,
    base: { sha: base, how },
    forced,
    by: { pusher: push.pusher, sender: push.sender, at: push.pushedAt },
    altered,
    uncovered,
    dropped: dropped.map((c) => auditFile(c, null)),
    outOfOrder,
    covered,
    policy: configChanged
      ? await policyReport(trees, push, policy, configAfter!, {
          forced,
          blobAfter,
          merged: merged.map((m) => ({ number: m.number, headSha: m.headSha })),
          commits: configCommits,
        })
      : null,
    unresolved,
    notes: [],
  };
  return facts;
}

async function policyReport(
  trees: TreeReader,
  push: Audited,
  before: PolicyBefore,
  after: Config | ConfigError,
  o: {
    forced: boolean;
    blobAfter: string;
    merged: { number: number; headSha: string }[];
    commits: PushedCommit[];
  },
): Promise<PolicyReport> {
  let via: number | null = null;
  // Through a pull request only when a merged one's head carries exactly the pushed file.
  if (!o.forced)
    for (const m of o.merged)
      if ((await configBlob(trees, m.headSha).catch(() => null)) === o.blobAfter) {
        via = m.number;
        break;
      }
  return {
    changes:
      after instanceof ConfigError ? [] : policyChanges(before.config, after, push.defaultBranch),
    viaPullRequest: via,
    commits: o.commits.map((c) => ({ sha: c.sha, author: c.author, date: c.date })),
    invalid: after instanceof ConfigError ? after.message : null,
  };
}

/** Branches whose audit by this app failed on the same commit (from the runs' external ids). */
async function failedElsewhere(ctx: PushContext, push: Audited): Promise<string[]> {
  const appId = await ctx.appId();
  const runs = await ctx.octokit.paginate(ctx.octokit.rest.checks.listForRef, {
    ...push.repo,
    ref: push.after,
    check_name: AUDIT_CHECK_NAME,
    app_id: appId,
    filter: "all",
    per_page: 100,
  });
  const failed = new Set<string>();
  for (const r of runs) {
    if (r.app?.id !== appId || r.conclusion !== "failure") continue;
    const branch = /^mw-audit\/1;branch=(.*)$/s.exec(r.external_id ?? "")?.[1];
    if (branch !== undefined && branch !== push.branch) failed.add(branch);
  }
  return [...failed].sort();
}

async function writeAudit(
  ctx: PushContext,
  push: Audited,
  result: { conclusion: "success" | "failure"; title: string; summary: string },
): Promise<void> {
  // GitHub shows the newest run of a name on a commit: a success for one branch must not hide
  // another branch's failing audit of the same commit (pushed there under a looser policy).
  if (result.conclusion === "success") {
    const failed = await failedElsewhere(ctx, push);
    if (failed.length > 0)
      result = {
        conclusion: "failure",
        title: `Failed on ${failed.join(", ")}; covered on ${push.branch}`,
        summary: `${result.summary}\n\n## Failed on another branch\n\nThis commit's audit failed when it was pushed to ${failed.map((b) => codeSpan(b)).join(", ")}; a success here does not clear that. See that run.`,
      };
  }
  await CheckRun.report(
    ctx.octokit,
    push.repo,
    {
      name: AUDIT_CHECK_NAME,
      headSha: push.after,
      externalId: `mw-audit/1;branch=${push.branch}`.slice(0, 255),
    },
    result,
  );
  ctx.log.info(
    { branch: push.branch, after: push.after, conclusion: result.conclusion },
    `${AUDIT_CHECK_NAME}: ${result.title}`,
  );
}
