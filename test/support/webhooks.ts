/** GitHub's example webhook payloads (@octokit/webhooks-examples). */
import { createRequire } from "node:module";
import type { FakeGitHub, FakeRepo } from "./fake-github.mjs";

interface WebhookDefinition {
  name: string;
  examples: Array<Record<string, unknown> & { action?: string; installation?: { id: number } }>;
}

// Parsed once per Jest worker and deeply frozen (test/support/cpu-environment.mjs, "Shared
// modules"): example() hands out copies. Outside that environment, the package itself: its
// index.d.ts declares a default export, which is wrong under NodeNext, and a JSON import would
// need an import attribute jest warns about; createRequire avoids both.
const shared = (globalThis as unknown as Record<symbol, Record<string, unknown> | undefined>)[
  Symbol.for("migration-warden.test.shared-modules")
];
const definitions = (shared?.["@octokit/webhooks-examples"] ??
  createRequire(import.meta.url)("@octokit/webhooks-examples")) as WebhookDefinition[];

/** A copy of GitHub's example payload for `name`.`action` that carries an installation. */
export function example(name: string, action: string): any {
  const def = definitions.find((d) => d.name === name);
  const e = def?.examples.find((x) => x.action === action && x.installation);
  if (!e) throw new Error(`no ${name}.${action} example with an installation`);
  return structuredClone(e);
}

/**
 * A `pull_request` webhook for the fake GitHub's pull request (GitHub's example with the fake's
 * pull request, repository and installation), as the real server receives it.
 */
export function pullRequestWebhook(
  fake: FakeGitHub,
  repo: FakeRepo,
  number: number,
  action = "opened",
): any {
  const payload = example("pull_request", "opened");
  payload.action = action;
  payload.number = number;
  payload.pull_request = { ...payload.pull_request, ...repo.pullJSON(number) };
  payload.repository = { ...payload.repository, ...repo.toJSON() };
  payload.installation = fake.installationPayload();
  return payload;
}
