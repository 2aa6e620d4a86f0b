/** What a check writer produces; CheckRun turns it into GitHub API calls. */
import type { Logger } from "probot";
import type { GitHubClient } from "../client.js";
import type { DynamicChecksFactory } from "../../changeset/source.js";
import type { Evaluation, Tool } from "../evaluate.js";

export type Conclusion = "success" | "neutral" | "failure" | "action_required";

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
  raw_details?: string;
}

export interface CheckAction {
  label: string;
  description: string;
  identifier: string;
}

export interface CheckResult {
  conclusion: Conclusion;
  title: string;
  /** Markdown, at most 65,535 bytes (CheckRun cuts longer text safely). */
  summary: string;
  text?: string;
  annotations?: Annotation[];
  actions?: CheckAction[];
  /** Replaces the run's `external_id` when it completes. */
  externalId?: string;
  /** Written even when the newest run shows the same (an answer to a click is never skipped). */
  alwaysWrite?: boolean;
}

export interface CheckEnv {
  octokit: GitHubClient;
  log: Logger;
  tool: Tool;
  /** The evaluation's dynamic checks, for checks that evaluate other pull requests too. */
  dynamic?: DynamicChecksFactory;
}

/** One check run name and how it renders an evaluation. */
export interface CheckDefinition {
  name: string;
  /** Output while the evaluation runs. */
  pending: { title: string; summary: string };
  /** The run's "Details" link; GitHub links the app's page without one. */
  detailsUrl?: string;
  render(ev: Evaluation, env: CheckEnv): CheckResult | Promise<CheckResult>;
  /**
   * True when a run of this definition, written earlier in the same webhook delivery, already
   * covers the pull request (the approval check decides for every pull request of a head commit).
   */
  covers?(pullNumber: number): boolean;
}
