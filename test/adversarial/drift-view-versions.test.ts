/**
 * A one-table view as PostgreSQL 15 (qualified columns) and 16+ / PGlite (unqualified) print it is
 * the same view for drift (src/replay/drift/view-definition.ts); nothing else may pass for the
 * same: a changed condition, a correlated subquery pointed at another table, a string literal, a
 * function of a schema named like the table, a join, a set operation. Pure: the texts are the
 * servers' own output (PostgreSQL 15.x and PGlite 0.5, search_path pg_catalog).
 */
import { describe, expect, test } from "@jest/globals";
import { compareSchemas } from "../../src/replay/drift/compare.js";
import { sameViewDefinition } from "../../src/replay/drift/view-definition.js";

const PG15 =
  "SELECT users.id,\n    users.email\n   FROM public.users\n  WHERE ((users.plan <> 'gone'::text) AND (EXISTS ( SELECT 1\n           FROM public.plans\n          WHERE (plans.name = users.plan))));";
const PG18 =
  "SELECT id,\n    email\n   FROM public.users\n  WHERE ((plan <> 'gone'::text) AND (EXISTS ( SELECT 1\n           FROM public.plans\n          WHERE (plans.name = users.plan))));";

describe("the same one-table view, printed by two server versions", () => {
  test("qualified and unqualified columns, with or without an alias: the same", () => {
    expect(sameViewDefinition(PG15, PG18)).toBe(true);
    expect(
      sameViewDefinition(
        "SELECT u.plan,\n    count(*) AS n\n   FROM public.users u\n  GROUP BY u.plan;",
        "SELECT plan,\n    count(*) AS n\n   FROM public.users u\n  GROUP BY plan;",
      ),
    ).toBe(true);
    expect(
      sameViewDefinition(
        'SELECT "T".id\n   FROM "my.schema"."T";',
        'SELECT id\n   FROM "my.schema"."T";',
      ),
    ).toBe(true);
  });

  test("a real change is still a change", () => {
    expect(sameViewDefinition(PG15, PG18.replace("'gone'", "'left'"))).toBe(false);
    // The correlated column moved to the subquery's own table: qualified on every version.
    expect(sameViewDefinition(PG15, PG18.replace("= users.plan", "= plans.plan"))).toBe(false);
    // A string literal is not a column.
    expect(
      sameViewDefinition(
        "SELECT users.id\n   FROM public.users\n  WHERE (users.note = 'users.x'::text);",
        "SELECT id\n   FROM public.users\n  WHERE (note = 'x'::text);",
      ),
    ).toBe(false);
    // users.f( is a function of a schema named users, not a column of the table.
    expect(
      sameViewDefinition(
        "SELECT users.f(users.id) AS f\n   FROM public.users;",
        "SELECT f(id) AS f\n   FROM public.users;",
      ),
    ).toBe(false);
  });

  test("anything but one relation is compared as written", () => {
    const join = (q: string) =>
      `SELECT ${q}id\n   FROM (public.users u\n     JOIN public.plans p ON ((p.name = u.plan)));`;
    expect(sameViewDefinition(join("u."), join(""))).toBe(false);
    expect(
      sameViewDefinition(
        "SELECT users.id\n   FROM public.users, public.plans;",
        "SELECT id\n   FROM public.users, public.plans;",
      ),
    ).toBe(false);
    expect(
      sameViewDefinition(
        "SELECT users.id\n   FROM public.users\nUNION\n SELECT 1;",
        "SELECT id\n   FROM public.users\nUNION\n SELECT 1;",
      ),
    ).toBe(false);
  });

  test("drift leaves the version's difference out, reports a change next to it", () => {
    const view = (definition: string, checkOption: string | null = null) => ({
      "view public.active": {
        kind: "view" as const,
        name: "public.active",
        attrs: { definition, checkOption },
      },
    });
    const opts = { ignore: [], migrationExtensions: new Set<string>() };
    expect(compareSchemas(view(PG18), view(PG15), opts).differences).toEqual([]);
    expect(
      compareSchemas(view(PG18), view(PG15.replace("'gone'", "'left'")), opts).differences,
    ).toHaveLength(1);
    // MySQL's views are not Postgres's: compared as written there.
    expect(
      compareSchemas(view(PG18), view(PG15), { ...opts, dialect: "mysql" }).differences,
    ).toHaveLength(1);
  });
});
