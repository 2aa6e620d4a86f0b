/**
 * The GitHub App (Probot). `npm start` runs it with `probot run ./lib/app.js`. It only wires
 * events to handlers; the work happens in src/github/.
 */
import type { Probot } from "probot";
import { createHandlers, PULL_REQUEST_EVENTS } from "./github/events.js";
import { TOOL } from "./version.js";

export default function migrationWarden(app: Probot): void {
  const handlers = createHandlers(TOOL);
  app.on([...PULL_REQUEST_EVENTS], handlers.pullRequest);
  app.on("check_run.rerequested", handlers.checkRunRerequested);
  app.on("check_suite.rerequested", handlers.checkSuiteRerequested);
}
