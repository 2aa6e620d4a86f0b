/**
 * A check of the pipeline gather → decide → render → write: review.ts evaluates the pull request
 * once (evaluate.ts), each check gathers what else it decides on (`gather`: reads only), then
 * decides and renders without I/O (`render`), and the writer (write.ts, check-run.ts) turns the
 * result into GitHub API calls.
 */
import type { Logger } from "probot";
import type {
  Annotation,
  CheckAction,
  CheckConclusion,
  CheckOutput,
} from "../../core/report/check-output.js";
import type { GitHubClient } from "../client.js";
import type { DynamicChecksFactory } from "../../changeset/source.js";
import type { EnforcementCache } from "../enforcement-cache.js";
import type { Evaluation, Tool } from "../evaluate.js";

/** Check runs of this app (lint and approval) have names with this prefix. */
export const CHECK_NAME_PREFIX = "migration-warden/";

export type Conclusion = CheckConclusion;
export type { Annotation, CheckAction };

/** What a check renders: the neutral output (src/core/report/check-output.ts) and how to write it. */
export interface CheckResult extends CheckOutput {
  /** Written even when the newest run shows the same (an answer to a click is never skipped). */
  alwaysWrite?: boolean;
  /**
   * For a check that decides for every pull request of the head (lint, approval): the pull
   * requests its evaluation looked at (approval/head-group.ts weighedBy). A pass is not left over
   * a block of this app's that names another one (written.ts unweighedBlock). Not shown.
   */
  weighed?: readonly number[];
}

export interface CheckEnv {
  octokit: GitHubClient;
  log: Logger;
  tool: Tool;
  /** The evaluation's dynamic checks, for checks that evaluate other pull requests too. */
  dynamic?: DynamicChecksFactory;
  /** Branch protection and rulesets read recently (enforcement-cache.ts). */
  enforcement?: EnforcementCache;
}

/** One check run name, what it gathers beyond the evaluation and how it renders. */
export interface CheckDefinition<Facts = unknown> {
  name: string;
  /** Output while the evaluation runs. */
  pending: { title: string; summary: string };
  /** The run's "Details" link; GitHub links the app's page without one. */
  detailsUrl?: string;
  /** Gather: the facts the check decides on, from the evaluation and what else it reads. */
  gather(ev: Evaluation, env: CheckEnv): Facts | Promise<Facts>;
  /** Decide and render, without I/O. */
  render(facts: Facts): CheckResult;
  /**
   * True when a run of this definition, written earlier in the same webhook delivery, already
   * covers the pull request (the approval check decides for every pull request of a head commit).
   */
  covers?(pullNumber: number): boolean;
}
