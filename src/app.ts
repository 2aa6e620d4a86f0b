/**
 * The GitHub App (Probot). `npm start` runs it with `probot run ./lib/app.js`. It only wires
 * events to handlers; the work happens in src/github/.
 */
import type { ApplicationFunction } from "probot";
import { createHandlers, PULL_REQUEST_EVENTS, REVIEW_EVENTS } from "./github/events.js";
import { TOOL } from "./version.js";

export interface AppOptions {
  /** Limit for reading and analysing one pull request (default 10 minutes). */
  evaluationTimeoutMs?: number;
}

export function createApp(options: AppOptions = {}): ApplicationFunction {
  return (app) => {
    const handlers = createHandlers({ ...options, tool: TOOL });
    app.on([...PULL_REQUEST_EVENTS], handlers.pullRequest);
    app.on([...REVIEW_EVENTS], handlers.pullRequestReview);
    app.on("check_run.rerequested", handlers.checkRunRerequested);
    app.on("check_run.requested_action", handlers.checkRunRequestedAction);
    app.on("check_suite.rerequested", handlers.checkSuiteRerequested);
  };
}

export default createApp();
