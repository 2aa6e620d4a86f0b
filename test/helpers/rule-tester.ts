/**
 * ESLint-RuleTester-style tables for migration-warden rules: `valid` cases must produce no
 * finding of the rule, `invalid` cases exactly the listed findings (rule id, severity, lines).
 * Every dialect the rule claims must appear among the invalid cases.
 */
import { RULES_BY_ID, type RuleId } from "../../src/core/rules/registry.js";
import type { Finding, Severity } from "../../src/core/types.js";
import { lint, type LintInput } from "./lint.js";

export interface RuleCase extends Omit<LintInput, "files"> {
  name?: string;
  /** The case expects a statement the parser cannot read (otherwise that fails the case). */
  parseError?: boolean;
  /** The migration under test, added as `2_change.up.sql` next to a merged `1_init`. */
  code?: string;
  /** Several changed files instead (name → SQL), in golang-migrate order by name. */
  files?: Record<string, string>;
}

export interface ExpectedFinding {
  line: number;
  /** Defaults to `line`. */
  endLine?: number;
  /** Defaults to the rule's default severity. */
  severity?: Severity;
  /** File name inside the directory; defaults to the case's only (or `code`) file. */
  file?: string;
  message?: RegExp;
  suppressed?: boolean;
}

export interface InvalidCase extends RuleCase {
  errors: ExpectedFinding[];
}

export const CODE_FILE = "2_change.up.sql";
const BASE = ["1_init.up.sql", "1_init.down.sql"];

function input(c: RuleCase): LintInput {
  const files = c.files ?? { [CODE_FILE]: c.code ?? "" };
  const { name: _name, code: _code, files: _files, parseError: _p, ...rest } = c;
  return { base: c.mode === "paths" ? [] : BASE, ...rest, files };
}

function title(c: RuleCase): string {
  if (c.name) return c.name;
  const sql = c.code ?? Object.values(c.files ?? {}).join(" | ");
  return `[${c.dialect ?? "postgres"}] ${sql.replace(/\s+/g, " ").trim().slice(0, 90)}`;
}

export function ruleTester(
  ruleId: RuleId,
  tests: { valid: RuleCase[]; invalid: InvalidCase[] },
): void {
  const meta = RULES_BY_ID.get(ruleId);
  /** A case passing only because its SQL did not parse would prove nothing. */
  const only = (fs: Finding[], c: RuleCase) => {
    if (!c.parseError && ruleId !== "sql-parse-error")
      expect(fs.filter((f) => f.ruleId === "sql-parse-error").map((f) => f.message)).toEqual([]);
    return fs.filter((f) => f.ruleId === ruleId);
  };

  describe(ruleId, () => {
    test("is registered and every dialect it claims has an invalid case", () => {
      expect(meta).toBeDefined();
      if (meta!.dialects === "all") return;
      const tested = new Set(tests.invalid.map((c) => c.dialect ?? "postgres"));
      expect([...tested].sort()).toEqual([...meta!.dialects].sort());
    });

    describe("valid", () => {
      for (const c of tests.valid) {
        test(title(c), async () => {
          expect(only(await lint(input(c)), c)).toEqual([]);
        });
      }
    });

    describe("invalid", () => {
      for (const c of tests.invalid) {
        test(title(c), async () => {
          const fileNames = Object.keys(c.files ?? { [CODE_FILE]: "" });
          const dir = c.dir ?? "migrations";
          const pathOf = (name: string) => (dir === "" ? name : `${dir}/${name}`);
          const got = only(await lint(input(c)), c);
          const shape = (f: Finding) => ({
            path: f.path,
            startLine: f.startLine,
            endLine: f.endLine,
            severity: f.severity,
            suppressed: f.suppressed !== undefined,
          });
          const want = c.errors.map((e) => ({
            path: pathOf(e.file ?? fileNames[0]!),
            startLine: e.line,
            endLine: e.endLine ?? e.line,
            severity: e.severity ?? meta!.defaultSeverity,
            suppressed: e.suppressed ?? false,
          }));
          const byPos = (a: ReturnType<typeof shape>, b: ReturnType<typeof shape>) =>
            a.path.localeCompare(b.path) || a.startLine - b.startLine || a.endLine - b.endLine;
          expect(got.map(shape).sort(byPos)).toEqual([...want].sort(byPos));
          for (const e of c.errors) {
            if (!e.message) continue;
            const here = got.filter(
              (x) => x.startLine === e.line && x.path === pathOf(e.file ?? fileNames[0]!),
            );
            expect(here.map((x) => x.message)).toContainEqual(expect.stringMatching(e.message));
          }
          for (const f of got) {
            expect(f.message.length).toBeGreaterThan(20);
            expect(f.suggestion.length).toBeGreaterThan(20);
          }
        });
      }
    });
  });
}
