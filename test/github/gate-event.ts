/**
 * Set-up shared by the tests of how the app learns whether its gate is enforced (branch
 * protection, rulesets, the first query's base rules, the enforcement cache): the pull request
 * they review, a ruleset pinning both checks, and one event seen as what those tests look at.
 */
import type { FakeGitHub, FakeRepo } from "../support/fake-github.mjs";
import {
  APP_ID,
  APPROVAL,
  type Harness,
  helloWorld,
  LINT,
  mergedMigrations,
  pullRequestEvent,
  unmarked,
} from "./harness.js";

/** A pull request adding a clean migration pair (approval required: action_required). */
export function cleanMigrationPullRequest(fake: FakeGitHub): { repo: FakeRepo; number: number } {
  return helloWorld(fake, mergedMigrations(1), {
    "migrations/0002_t2.up.sql": "CREATE TABLE t2 (id int);\n",
    "migrations/0002_t2.down.sql": "DROP TABLE t2;\n",
  });
}

/** A ruleset on master requiring both checks, pinned to this app. */
export function bothPinned(
  id: number,
  over: Partial<FakeRepo["rulesets"][number]> = {},
): FakeRepo["rulesets"][number] {
  return {
    id,
    branches: ["master"],
    checks: [
      { context: LINT, integration_id: APP_ID },
      { context: APPROVAL, integration_id: APP_ID },
    ],
    ...over,
  };
}

/** The enforcement reads by REST among `calls` (the branch, its rulesets). */
export const enforcementReads = (calls: string[]): string[] =>
  calls.filter((c) => /\/branches\/|\/rules\/branches\//.test(c));

/**
 * A synchronize of pull request `number`, seen as: every request it sent, its enforcement reads,
 * both checks' conclusion and title, lint's findings ([path, rule id]) and the approval run's
 * summary without its evaluation marker.
 */
export async function synchronized(h: Harness, repo: FakeRepo, number: number) {
  h.fake.clearRequests();
  await h.receive("pull_request", pullRequestEvent("synchronize", repo, number));
  const approval = h.runs(APPROVAL).at(-1)!;
  const lint = h.runs(LINT).at(-1)!;
  const summary = (unmarked({ output: approval.output }) as { output: { summary?: string } }).output
    .summary!;
  return {
    calls: h.calls(),
    reads: enforcementReads(h.calls()),
    approval: [approval.conclusion, approval.output.title],
    lint: [lint.conclusion, lint.output.title],
    lintFindings: lint.annotations.map((a) => [a.path, a.title]),
    summary,
  };
}
