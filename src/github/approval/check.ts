/**
 * The `migration-warden/approval` check: one run per evaluation, on the head commit, deciding for
 * every open pull request with that head (the strictest wins), with the audit trail as summary.
 * Gather reads the group's facts, the click's and branch protection's; the core decides
 * (decideApprovalRun: a click is judged first, an accepted one is recorded in the new run's
 * `external_id`, a rejected one records nothing and the summary says why) and renders
 * (renderApprovalRun), without I/O.
 */
import type { Logger } from "probot";
import {
  APPROVAL_CHECK_NAME,
  decideApprovalRun,
  renderApprovalRun,
  type ButtonClick,
  type EnforcementFacts,
  type RunMember,
} from "../../core/approval/index.js";
import { ownAppId } from "../client.js";
import type { CheckDefinition, CheckEnv, CheckResult } from "../checks/types.js";
import { rulesetRequirements } from "../enforcement.js";
import { gatePinnedBy } from "../first-read/base-rules.js";
import type { Evaluation } from "../evaluate.js";
import { gatherMembers, headGroup, weighedBy } from "./head-group.js";
import { ApprovalReader } from "./reader.js";

/** Where the run's "Details" link goes: who may approve and how. */
export const APPROVAL_DOCS_URL =
  "https://github.com/migration-warden/migration-warden/blob/main/docs/approval.md#how-to-approve";

/** A click as the webhook reports it; the app's own id is added when it is judged. */
export type ClickInput = Omit<ButtonClick, "ownAppId">;

/**
 * One instance per webhook delivery: it remembers which pull requests its runs covered, so a
 * delivery naming several pull requests with one head writes one approval run for them.
 */
export class ApprovalCheck implements CheckDefinition {
  readonly name = APPROVAL_CHECK_NAME;
  readonly pending = {
    title: "Checking approvals…",
    summary:
      "migration-warden is reading the configuration, the migration changes, the reviews and the recorded approvals.",
  };
  readonly detailsUrl = APPROVAL_DOCS_URL;
  readonly #covered = new Set<number>();

  constructor(
    private readonly click: ClickInput | null = null,
    /** A base change the delivery reported (see GatherOptions.baseChanged). */
    private readonly baseChanged?: { pr: number; at: string },
  ) {}

  covers(pullNumber: number): boolean {
    return this.#covered.has(pullNumber);
  }

  async gather(ev: Evaluation, env: CheckEnv): Promise<ApprovalRunFacts> {
    const repo = { owner: ev.pr.owner, repo: ev.pr.repo };
    const appId = await ownAppId(env.octokit);
    const reader = new ApprovalReader(env.octokit, repo, ev.trees, appId, {
      pullFacts: true,
      onFallback: (reason) =>
        env.log.warn({ reason }, "approval facts read by REST: the GraphQL answer was not usable"),
    });
    // An invalid configuration fails the check whatever the other pull requests say.
    const group = ev.kind === "invalid-config" ? [ev] : await headGroup(env, ev, appId);
    for (const member of group) this.#covered.add(member.pr.number);

    const baseRefs = new Map(group.map((m) => [m.pr.number, m.pr.baseRef]));
    const members: RunMember[] = [];
    for (const member of group)
      members.push(
        ...(await gatherMembers(reader, member, {
          shared: group.length > 1,
          clicker: this.click
            ? {
                login: this.click.sender.login,
                ...(this.click.sender.id !== undefined ? { id: this.click.sender.id } : {}),
              }
            : null,
          baseRefs,
          ...(this.baseChanged ? { baseChanged: this.baseChanged } : {}),
        })),
      );
    // Whether branch protection requires this gate: told, never decisive.
    const enforcement = await Promise.all(
      [...new Map(group.map((m) => [m.base.ref, m.base])).values()].map(
        async (base): Promise<EnforcementFacts> => {
          const read = () => rulesetRequirements(env.octokit, repo, base.ref);
          // The first query's rules, only as proof that both checks are pinned to this app
          // (first-read/base-rules.ts); then branch protection may not have been read either.
          const shown = group
            .map((m) => m.pr.baseRules)
            .find((r) => r?.branch === base.ref && gatePinnedBy(r, reader.ownAppId));
          return {
            branch: base.ref,
            ownAppId: reader.ownAppId,
            protection: base.protection ?? {
              readable: false,
              reason: "Branch protection was not read.",
            },
            rulesets: shown
              ? { readable: true, checks: shown.checks }
              : await (env.enforcement?.read("rulesets", ev.pr.baseRepoId, base.ref, read) ??
                  read()),
          };
        },
      ),
    );
    const weighed = weighedBy(group);
    return {
      members,
      ...(weighed ? { weighed } : {}),
      click: this.click ? { ...this.click, ownAppId: reader.ownAppId } : null,
      enforcement,
      log: env.log,
    };
  }

  render(facts: ApprovalRunFacts): CheckResult {
    const verdict = decideApprovalRun(facts.members, facts.click);
    if (verdict.click) {
      const { click, outcome } = verdict.click;
      facts.log.info(
        { sender: click.sender.login, run: click.run.id, ...outcome },
        outcome.approval ? "approval click recorded" : "approval click not recorded",
      );
    }
    return {
      ...renderApprovalRun(verdict, facts.enforcement),
      ...(this.click ? { alwaysWrite: true } : {}),
      ...(facts.weighed ? { weighed: facts.weighed } : {}),
    };
  }
}

/** What the approval run decides on. */
export interface ApprovalRunFacts {
  /** Every pull request of the head, under its own base and the default branch's view. */
  members: RunMember[];
  /** Every pull request the group read looked at (head-group.ts weighedBy). */
  weighed?: readonly number[];
  /** The click the run answers, with this app's id. */
  click: ButtonClick | null;
  /** Branch protection and rulesets of each base branch. */
  enforcement: EnforcementFacts[];
  /** For the click's log line (render does no other I/O). */
  log: Logger;
}
