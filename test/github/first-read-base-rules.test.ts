/**
 * The base branch's ruleset rules in the first query (src/github/first-read/base-rules.ts), used
 * only as proof that both gate checks are pinned to this app: then neither `GET /branches/{base}`
 * nor `GET /rules/branches/{base}` is sent on a cold event. Attacks and odd answers: an
 * evaluate-mode ruleset GraphQL would list, an empty list from an installation that may not see
 * the rulesets, rules without their ruleset, one check pinned or another app's pin, GitHub's error
 * inside the part, more than one page. Each falls back to REST and tells what REST tells; none
 * changes a conclusion, and the base tip evaluated is still this event's own read.
 */
import { afterEach, describe, expect, test } from "@jest/globals";
import { schemaErrors } from "../support/github-schema.js";
import {
  BASE_RULES_FRAGMENT,
  baseRulesOf,
  gatePinnedBy,
} from "../../src/github/first-read/base-rules.js";
import { PULL_REQUEST_QUERY } from "../../src/github/pull-request-query.js";
import type { FakeRepo } from "../support/fake-github.mjs";
import { APP_ID, APPROVAL, createHarness, finish, LINT, type Harness } from "./harness.js";
import { bothPinned, cleanMigrationPullRequest, synchronized } from "./gate-event.js";

const rule = (over: Record<string, unknown> = {}) => ({
  type: "REQUIRED_STATUS_CHECKS",
  parameters: {
    __typename: "RequiredStatusChecksParameters",
    requiredStatusChecks: [
      { context: LINT, integrationId: APP_ID },
      { context: APPROVAL, integrationId: APP_ID },
    ],
  },
  repositoryRuleset: {
    databaseId: 42,
    enforcement: "ACTIVE",
    source: { __typename: "Repository" },
  },
  ...over,
});
const ref = (nodes: unknown[], over: Record<string, unknown> = {}) => ({
  name: "main",
  rules: { totalCount: nodes.length, pageInfo: { hasNextPage: false }, nodes },
  ...over,
});
const read = (r: unknown) => baseRulesOf(r as any, "main");

describe("the part", () => {
  test("the first query with it is valid against GitHub's schema", () => {
    expect(schemaErrors(PULL_REQUEST_QUERY)).toEqual([]);
  });

  test("one connection of at most 100 rules under no other: one request of GitHub's cost rule", () => {
    const firsts = [...BASE_RULES_FRAGMENT.matchAll(/first: (\d+)/g)].map((m) => Number(m[1]));
    expect(firsts).toHaveLength(1);
    expect(firsts[0]).toBeLessThanOrEqual(100);
    // Under `baseRules: baseRef`, an object field of the pull request (no connection above it).
    expect(BASE_RULES_FRAGMENT.startsWith("baseRules: baseRef {")).toBe(true);
  });

  test("active required checks, named as REST names them; proof only for this app's pins", () => {
    const org = rule({
      repositoryRuleset: {
        databaseId: 7,
        enforcement: "ACTIVE",
        source: { __typename: "Organization", login: "acme" },
      },
    });
    expect(read(ref([rule(), org]))).toEqual({
      branch: "main",
      checks: [
        { context: LINT, appId: APP_ID, where: "ruleset 42" },
        { context: APPROVAL, appId: APP_ID, where: "ruleset 42" },
        { context: LINT, appId: APP_ID, where: "ruleset 7 of acme" },
        { context: APPROVAL, appId: APP_ID, where: "ruleset 7 of acme" },
      ],
    });
    expect(gatePinnedBy(read(ref([rule()])), APP_ID)).toBe(true);
    expect(gatePinnedBy(read(ref([rule()])), APP_ID + 1)).toBe(false);
    expect(gatePinnedBy(undefined, APP_ID)).toBe(false);
  });

  test("evaluate and disabled rulesets and other rule types count for nothing, as in REST", () => {
    for (const enforcement of ["EVALUATE", "DISABLED"]) {
      const r = read(
        ref([
          rule({
            repositoryRuleset: {
              databaseId: 42,
              enforcement,
              source: { __typename: "Repository" },
            },
          }),
        ]),
      );
      expect(r).toEqual({ branch: "main", checks: [] });
      expect(gatePinnedBy(r, APP_ID)).toBe(false);
    }
    const other = rule({
      type: "PULL_REQUEST",
      parameters: { __typename: "PullRequestParameters" },
    });
    expect(read(ref([other]))).toEqual({ branch: "main", checks: [] });
  });

  test("nothing shown, one check pinned, any source or another app: no proof", () => {
    const only = (checks: unknown[]) =>
      rule({
        parameters: { __typename: "RequiredStatusChecksParameters", requiredStatusChecks: checks },
      });
    expect(gatePinnedBy(read(ref([])), APP_ID)).toBe(false);
    expect(
      gatePinnedBy(read(ref([only([{ context: LINT, integrationId: APP_ID }])])), APP_ID),
    ).toBe(false);
    const anySource = only([
      { context: LINT, integrationId: null },
      { context: APPROVAL, integrationId: null },
    ]);
    expect(read(ref([anySource]))!.checks.map((c) => c.appId)).toEqual([null, null]);
    expect(gatePinnedBy(read(ref([anySource])), APP_ID)).toBe(false);
    const otherApp = only([
      { context: LINT, integrationId: APP_ID },
      { context: APPROVAL, integrationId: 999 },
    ]);
    expect(gatePinnedBy(read(ref([otherApp])), APP_ID)).toBe(false);
  });

  test("anything not whole and plain is not used", () => {
    const odd: unknown[] = [
      null,
      undefined,
      ref([rule()], { name: "other" }),
      ref([rule()], { rules: null }),
      ref([rule()], {
        rules: { totalCount: 2, pageInfo: { hasNextPage: false }, nodes: [rule()] },
      }),
      ref([rule()], { rules: { totalCount: 1, pageInfo: { hasNextPage: true }, nodes: [rule()] } }),
      ref([rule()], { rules: { totalCount: 1, pageInfo: null, nodes: [rule()] } }),
      ref([null]),
      ref([rule({ type: null })]),
      ref([rule({ repositoryRuleset: null })]),
      ref([rule({ repositoryRuleset: { databaseId: 42, enforcement: "ACTIVE", source: null } })]),
      ref([
        rule({
          repositoryRuleset: {
            databaseId: 42,
            enforcement: "SOMETIMES",
            source: { __typename: "Repository" },
          },
        }),
      ]),
      ref([
        rule({
          repositoryRuleset: {
            databaseId: 0,
            enforcement: "ACTIVE",
            source: { __typename: "Repository" },
          },
        }),
      ]),
      ref([
        rule({
          repositoryRuleset: {
            databaseId: 42,
            enforcement: "ACTIVE",
            source: { __typename: "Organization" },
          },
        }),
      ]),
      ref([rule({ parameters: null })]),
      ref([rule({ parameters: { __typename: "PullRequestParameters" } })]),
      ref([
        rule({
          parameters: {
            __typename: "RequiredStatusChecksParameters",
            requiredStatusChecks: [{ context: LINT, integrationId: "123" }],
          },
        }),
      ]),
      ref([
        rule({
          parameters: {
            __typename: "RequiredStatusChecksParameters",
            requiredStatusChecks: [null],
          },
        }),
      ]),
    ];
    for (const r of odd) expect(read(r)).toBeUndefined();
  });
});

describe("through the app", () => {
  let h: Harness | undefined;
  afterEach(() => {
    finish(h);
    h = undefined;
  });

  const NOT_ENFORCED = "**This gate is not enforced on `master`.**";
  /**
   * A pull request adding a clean migration pair (approval required: action_required), evaluated
   * by a process that remembers nothing; `setup` arranges the repository first.
   */
  async function cold(setup: (repo: FakeRepo, h: Harness) => void) {
    finish(h);
    h = await createHarness({ app: { replay: false } });
    const { repo, number } = cleanMigrationPullRequest(h.fake);
    setup(repo, h);
    return event(h, repo, number);
  }

  /** The event as these tests see it: lint's findings by rule id only. */
  async function event(h: Harness, repo: FakeRepo, number: number) {
    const seen = await synchronized(h, repo, number);
    return { ...seen, lintFindings: seen.lintFindings.map(([, title]) => title) };
  }

  const BOTH_READS = [
    "GET /repos/Codertocat/Hello-World/branches/master",
    "GET /repos/Codertocat/Hello-World/rules/branches/master?per_page=100",
  ];

  test("a ruleset pinning both: neither read by REST, and the summary REST's reads give", async () => {
    const shown = await cold((repo) => repo.rulesets.push(bothPinned(42)));
    const rest = await cold((repo) => {
      repo.rulesets.push(bothPinned(42));
      repo.graphqlRules = "hidden";
    });
    expect(shown.reads).toEqual([]);
    expect(rest.reads).toEqual(BOTH_READS);
    expect(shown.summary).toContain("are required and pinned to this app (ruleset 42).");
    expect({ ...shown, calls: [], reads: [] }).toEqual({ ...rest, calls: [], reads: [] });
  });

  test("an organization's ruleset is named as REST names it", async () => {
    const shown = await cold((repo) => repo.rulesets.push(bothPinned(7, { organization: "acme" })));
    const rest = await cold((repo) => {
      repo.rulesets.push(bothPinned(7, { organization: "acme" }));
      repo.graphqlRules = "hidden";
    });
    expect(shown.reads).toEqual([]);
    expect(shown.summary).toContain("pinned to this app (ruleset 7 of acme).");
    expect(shown.summary).toBe(rest.summary);
  });

  test("an evaluate-mode ruleset GraphQL would list is no proof: REST tells it is not enforced", async () => {
    const r = await cold((repo) => {
      repo.rulesets.push(bothPinned(42, { enforcement: "evaluate" }));
      repo.graphqlRules = "all";
    });
    expect(r.reads).toEqual(BOTH_READS);
    expect(r.summary).toContain(NOT_ENFORCED);
  });

  test("an empty list is no proof of absence: the rulesets REST shows are told", async () => {
    const r = await cold((repo) => {
      repo.rulesets.push(bothPinned(42));
      repo.graphqlRules = "hidden";
    });
    expect(r.reads).toEqual(BOTH_READS);
    expect(r.summary).not.toContain(NOT_ENFORCED);
    expect(r.summary).toContain("(ruleset 42).");
  });

  test("rules whose ruleset GitHub does not show, one check pinned, another app: REST", async () => {
    const unseen = await cold((repo) => {
      repo.rulesets.push(bothPinned(42));
      repo.graphqlRules = "unseen";
    });
    expect(unseen.reads).toEqual(BOTH_READS);
    expect(unseen.summary).toContain("(ruleset 42).");
    const oneApp = await cold((repo) =>
      repo.rulesets.push(
        bothPinned(42, {
          checks: [
            { context: LINT, integration_id: APP_ID },
            { context: APPROVAL, integration_id: 999 },
          ],
        }),
      ),
    );
    expect(oneApp.reads).toEqual(BOTH_READS);
    expect(oneApp.summary).toContain("only from app id 999");
  });

  test("GitHub's error inside the part costs only the part: the rest of the query is used", async () => {
    const r = await cold((repo, h) => {
      repo.rulesets.push(bothPinned(42));
      h.fake.graphqlFault({
        operation: "MigrationWardenPullRequest",
        fieldError: "rules",
        executed: true,
      });
    });
    expect(r.reads).toEqual(BOTH_READS);
    // The pull request and its base config still came from the query.
    expect(r.calls.filter((c) => /\/pulls\/2$|\/contents\//.test(c))).toEqual([]);
    expect(r.summary).toContain("(ruleset 42).");
  });

  test("never decisive: a pinning ruleset does not pass an approval that is missing", async () => {
    const shown = await cold((repo) => repo.rulesets.push(bothPinned(42)));
    const none = await cold(() => {});
    expect(shown.approval).toEqual(none.approval);
    expect(shown.approval[0]).toBe("action_required");
    expect(shown.lint).toEqual(none.lint);
    expect(none.summary).toContain(NOT_ENFORCED);
  });

  test("the base tip evaluated is this event's own read, without the branch read", async () => {
    finish(h);
    h = await createHarness({ app: { replay: false } });
    const { repo, number } = cleanMigrationPullRequest(h.fake);
    repo.rulesets.push(bothPinned(42));
    const first = await event(h, repo, number);
    expect(first.lintFindings).not.toContain("out-of-order-migration");
    // Merged meanwhile: a version above the pull request's.
    repo.commit({
      branch: "master",
      files: {
        "migrations/0003_t3.up.sql": "CREATE TABLE t3 (id int);\n",
        "migrations/0003_t3.down.sql": "DROP TABLE t3;\n",
      },
    });
    const next = await event(h, repo, number);
    expect(next.reads).toEqual([]);
    expect(next.lintFindings).toContain("out-of-order-migration");
    expect(next.lint[0]).toBe("failure");
  });
});
