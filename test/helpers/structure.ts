/**
 * Shared setup of the structural rules' tests (test/core/rules/structure/): a base directory, the
 * whole analysis on a change set, and findings in one line each.
 */
import { parseConfig } from "../../src/config/load.js";
import { analyze } from "../../src/core/analyze.js";
import { SQL_RULES } from "../../src/core/rules/registry.js";
import type { ChangeSet, Finding } from "../../src/core/types.js";
import { changeSet } from "../support/changeset.js";

export const tool = { name: "migration-warden", version: "test" };
export const config = (yaml = "") => parseConfig(yaml === "" ? null : yaml, { ref: "main" });

/** Structural findings only: the SQL rules have their own tests (test/core/rules/sql/). */
const SQL_IDS = new Set<string>([...SQL_RULES.map((r) => r.meta.id), "sql-parse-error"]);
export async function findings(cs: ChangeSet, yaml = ""): Promise<Finding[]> {
  return (await analyze(config(yaml), cs, { tool })).report.findings.filter(
    (f) => !SQL_IDS.has(f.ruleId),
  );
}
export const brief = (fs: Finding[]) =>
  fs.map((f) => `${f.path} ${f.ruleId} ${f.severity}${f.suppressed ? " suppressed" : ""}`);

export const BASE = {
  migrations: {
    "000001_users.up.sql": "CREATE TABLE users (id bigint);",
    "000001_users.down.sql": "DROP TABLE users;",
    "000002_orders.up.sql": "CREATE TABLE orders (id bigint);",
    "000002_orders.down.sql": "DROP TABLE orders;",
    "README.md": "# migrations",
    "0001_legacy_up.sql": "SELECT 1;",
  },
};
export const UP = "CREATE TABLE t (id bigint);";
export const DOWN = "DROP TABLE t;";

export type StructureCase = [
  name: string,
  spec: Parameters<typeof changeSet>[0],
  expected: string[],
];

/** One test per case: the change's structural findings, as `path rule-id severity`, sorted. */
export function expectStructure(cases: StructureCase[]): void {
  test.each<StructureCase>(cases)("%s", async (_name, spec, expected) => {
    expect(brief(await findings(changeSet(spec))).sort()).toEqual([...expected].sort());
  });
}
