/**
 * What a check run shows, in the app's own terms: the neutral output the renderers produce (lint,
 * approval). src/github/checks/ is the one place that turns it into GitHub's check-run request
 * bodies (snake_case fields, `output`, batches of annotations).
 */

export type CheckConclusion = "success" | "neutral" | "failure" | "action_required";

/** An annotation on a line range of a file (GitHub's fields: it is sent as it is). */
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

/** A button on the run (GitHub's "requested action"). */
export interface CheckAction {
  label: string;
  description: string;
  identifier: string;
}

export interface CheckOutput {
  conclusion: CheckConclusion;
  title: string;
  /** Markdown, at most 65,535 bytes (the writer cuts longer text safely). */
  summary: string;
  text?: string;
  annotations?: Annotation[];
  actions?: CheckAction[];
  /** The run's `external_id` (the approval run's record). */
  externalId?: string;
}
