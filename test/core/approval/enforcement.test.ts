import { describe, expect, test } from "@jest/globals";
import {
  assessEnforcement,
  isEnforced,
  renderEnforcement,
  type RequiredCheck,
  type RequirementSource,
} from "../../../src/core/approval/enforcement.js";
import { protectionRequirements } from "../../../src/github/enforcement.js";

const OWN = 123;
const LINT = "migration-warden/lint";
const APPROVAL = "migration-warden/approval";
const seen = (...checks: RequiredCheck[]): RequirementSource => ({ readable: true, checks });
const req = (context: string, appId: number | null, where = "branch protection") => ({
  context,
  appId,
  where,
});
const assess = (protection: RequirementSource, rulesets: RequirementSource = seen()) =>
  assessEnforcement({ branch: "main", ownAppId: OWN, protection, rulesets });
const states = (e: ReturnType<typeof assess>) => e.checks.map((c) => c.state);

describe("assessEnforcement", () => {
  test("requirements add up: a pin anywhere makes the app's run necessary", () => {
    const e = assess(
      seen(req(LINT, null), req(APPROVAL, null)),
      seen(req(LINT, OWN, "ruleset 1"), req(APPROVAL, OWN, "ruleset 1")),
    );
    expect(states(e)).toEqual(["pinned", "pinned"]);
    expect(isEnforced(e)).toBe(true);
    expect(e.checks[0]!.where).toEqual(["ruleset 1"]);
  });

  test("any source outranks another app's pin (it is the weaker requirement that matters)", () => {
    const e = assess(seen(req(LINT, 7), req(LINT, null)));
    expect(states(e)).toEqual(["any-source", "not-required"]);
  });

  test("names are exact: a look-alike context does not count", () => {
    const e = assess(
      seen(req("migration-warden/lint ", OWN), req("Migration-Warden/approval", OWN)),
    );
    expect(states(e)).toEqual(["not-required", "not-required"]);
  });

  test("not required where it could look but a source was unreadable: unknown, not 'not required'", () => {
    const e = assess(seen(req(LINT, OWN)), { readable: false, reason: "HTTP 403" });
    expect(states(e)).toEqual(["pinned", "unknown"]);
    expect(isEnforced(e)).toBe(false);
    const { top, bottom } = renderEnforcement([e]);
    expect(top[0]).toContain("cannot tell");
    expect(top).toContain("> - HTTP 403");
    expect(bottom).toEqual([]);
  });

  test("markdown in a ruleset's source name is escaped", () => {
    const e = assess(seen(req(LINT, null, "ruleset 1 of [x](http://evil)")));
    const text = renderEnforcement([e]).top.join("\n");
    expect(text).not.toContain("[x](http://evil)");
  });
});

describe("protectionRequirements (GET /branches/{branch})", () => {
  test("unprotected: readable, nothing required", () => {
    expect(protectionRequirements({ protected: false })).toEqual(seen());
  });

  test("checks with app ids; contexts without an entry accept any source; enforcement off requires nothing", () => {
    expect(
      protectionRequirements({
        protected: true,
        protection: {
          required_status_checks: {
            enforcement_level: "everyone",
            contexts: [LINT, APPROVAL],
            checks: [{ context: LINT, app_id: OWN }],
          },
        },
      }),
    ).toEqual(seen(req(LINT, OWN), req(APPROVAL, null)));
    expect(
      protectionRequirements({
        protected: true,
        protection: {
          required_status_checks: {
            enforcement_level: "off",
            contexts: [LINT],
            checks: [{ context: LINT, app_id: OWN }],
          },
        },
      }),
    ).toEqual(seen());
  });

  test("protected without required checks shown: unreadable", () => {
    expect(
      protectionRequirements({ protected: true, protection: { enabled: true } }).readable,
    ).toBe(false);
  });
});
