/** What a check writer produces; CheckRun turns it into GitHub API calls. */
import type { Logger } from "probot";
import type { GitHubClient } from "../client.js";
import type { Evaluation } from "../evaluate.js";

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
}

export interface CheckEnv {
  octokit: GitHubClient;
  log: Logger;
}

/** One check run name and how it renders an evaluation. */
export interface CheckDefinition {
  name: string;
  /** Output while the evaluation runs. */
  pending: { title: string; summary: string };
  render(ev: Evaluation, env: CheckEnv): CheckResult | Promise<CheckResult>;
}
