/**
 * Issue 12 §3: the approval check's summary says whether branch protection and rulesets require
 * both checks on the base branch, pinned to this app, from what GitHub shows the app. Never
 * decisive: the conclusion is the same whatever the settings.
 */
import { describe, expect, test } from "@jest/globals";
import type { FakeRepo } from "../support/fake-github.mjs";
import {
  APP_ID,
  APPROVAL,
  LINT,
  pullRequestEvent,
  type Harness,
  unmarked,
  useHarness,
} from "./harness.js";
import { bothPinned, cleanMigrationPullRequest } from "./gate-event.js";

let h: Harness;
// No sandbox replay: enforcement does not depend on it.
useHarness((created) => (h = created), { app: { replay: false } });

const NOT_ENFORCED = "**This gate is not enforced on `master`.**";
const CANNOT_TELL = "**migration-warden cannot tell whether this gate is enforced on `master`.**";

/** A clean new migration (approval required by default policy: waits for a DBA). */
async function review(setup: (repo: FakeRepo) => void) {
  const { repo, number } = cleanMigrationPullRequest(h.fake);
  setup(repo);
  await h.receive("pull_request", pullRequestEvent("opened", repo, number));
  const run = h.runs(APPROVAL).at(-1)!;
  // The summary as a reader sees it (without the hidden evaluation marker at its end).
  const { output } = unmarked({ output: run.output }) as { output: { summary?: string } };
  return { conclusion: run.conclusion, title: run.output.title, summary: output.summary ?? "" };
}

const pinned = (ctx: string, app_id: number | null = APP_ID) => ({ context: ctx, app_id });

describe("the approval summary tells whether the gate is enforced", () => {
  test("an unprotected base: a prominent warning naming both checks and the setting to change", async () => {
    const r = await review(() => {});
    expect(r.summary.startsWith(`> [!WARNING]\n> ${NOT_ENFORCED}`)).toBe(true);
    expect(r.summary).toContain(`\`${LINT}\` is **not required**`);
    expect(r.summary).toContain(`\`${APPROVAL}\` is **not required**`);
    expect(r.summary).toContain(`choose this GitHub App (id ${APP_ID}) as the source of each`);
  });

  test("both checks required by branch protection and pinned to this app: one line, no warning", async () => {
    const r = await review((repo) =>
      repo.protection.set("master", [pinned(LINT), pinned(APPROVAL)]),
    );
    expect(r.summary).not.toContain("[!WARNING]");
    expect(r.summary).not.toContain("[!NOTE]");
    expect(r.summary.trimEnd().split("\n").at(-1)).toBe(
      `Enforced on \`master\`: \`${LINT}\` and \`${APPROVAL}\` are required and pinned to this app (branch protection).`,
    );
  });

  test("a ruleset that pins both is enough, and names the ruleset", async () => {
    const r = await review((repo) => {
      repo.rulesets.push(bothPinned(42));
    });
    expect(r.summary).not.toContain("[!WARNING]");
    expect(r.summary).toContain("are required and pinned to this app (ruleset 42).");
  });

  test("required from any source: anyone who can post a check or status named so passes it", async () => {
    const r = await review((repo) =>
      repo.protection.set("master", [pinned(LINT), pinned(APPROVAL, null)]),
    );
    expect(r.summary).toContain(NOT_ENFORCED);
    expect(r.summary).toContain(
      `\`${APPROVAL}\` is required (branch protection) from **any source**`,
    );
    expect(r.summary).not.toContain(`\`${LINT}\` is`);
  });

  test("a name-only requirement (the older `contexts` list) accepts any source too", async () => {
    const r = await review((repo) => {
      repo.protection.set("master", [pinned(LINT)]);
      repo.rulesets.push({ id: 7, branches: ["master"], checks: [{ context: APPROVAL }] });
    });
    expect(r.summary).toContain(`\`${APPROVAL}\` is required (ruleset 7) from **any source**`);
  });

  test("pinned to another app: this app's check does not satisfy it", async () => {
    const r = await review((repo) =>
      repo.protection.set("master", [pinned(LINT, 999), pinned(APPROVAL)]),
    );
    expect(r.summary).toContain(
      `\`${LINT}\` is required (branch protection) only from app id 999, not from this app (id ${APP_ID})`,
    );
  });

  test("only one check required: the other is named as not required", async () => {
    const r = await review((repo) => repo.protection.set("master", [pinned(LINT)]));
    expect(r.summary).toContain(NOT_ENFORCED);
    expect(r.summary).toContain(`\`${APPROVAL}\` is **not required**`);
    expect(r.summary).not.toContain(`\`${LINT}\` is **not required**`);
  });

  test("a ruleset for another branch does not count", async () => {
    const r = await review((repo) => repo.rulesets.push(bothPinned(3, { branches: ["release"] })));
    expect(r.summary).toContain(NOT_ENFORCED);
  });

  test("rulesets GitHub does not let the app read: it says it cannot tell, with the status", async () => {
    const r = await review((repo) => {
      repo.rulesStatus = 403;
    });
    expect(r.summary).toContain(CANNOT_TELL);
    expect(r.summary).toContain("(HTTP 403)");
    expect(r.summary).not.toContain("[!WARNING]");
  });

  test("protected, but no required checks shown: cannot tell, unless a ruleset pins both", async () => {
    const blind = await review((repo) => repo.protection.set("master", null));
    expect(blind.summary).toContain(CANNOT_TELL);
    expect(blind.summary).toContain("did not show the app its required checks");
  });

  test("never decisive: the conclusion and title are the same with and without enforcement", async () => {
    const bare = await review(() => {});
    const enforced = await review((repo) =>
      repo.protection.set("master", [pinned(LINT), pinned(APPROVAL)]),
    );
    const unreadable = await review((repo) => {
      repo.rulesStatus = 500;
    });
    expect([bare.conclusion, bare.title]).toEqual(["action_required", enforced.title]);
    expect([enforced.conclusion, unreadable.conclusion]).toEqual([
      "action_required",
      "action_required",
    ]);
    expect(unreadable.summary).toContain("could not be read (HTTP 500)");
  });
});
