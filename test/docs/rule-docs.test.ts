/**
 * Every registered rule has docs/rules/<id>.md with the required sections, and the examples in
 * the SQL rules' pages are real: the "Bad" SQL triggers the rule, the "Good" SQL does not.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ENGINE_RULES, RULES_BY_ID, RULE_IDS, SQL_RULES } from "../../src/core/rules/registry.js";
import type { Dialect } from "../../src/core/types.js";
import { lint } from "../helpers/lint.js";

const RUNNABLE = new Set<string>([
  ...SQL_RULES.map((r) => r.meta.id),
  ...ENGINE_RULES.map((r) => r.meta.id),
]);
const docs = join(dirname(fileURLToPath(import.meta.url)), "../../docs");

const SECTIONS = [
  "## What it detects",
  "## Why it ", // "is dangerous", or "matters" for the replay's own notices
  "## The safer way",
  "### Bad",
  "### Good",
  "## Suppressing",
];

interface Example {
  file: string;
  dialect?: Dialect;
  sql: string;
}

function section(md: string, heading: string): string {
  const start = md.indexOf(`\n${heading}\n`);
  if (start < 0) return "";
  const rest = md.slice(start + heading.length + 2);
  const next = rest.search(/\n#{2,3} /);
  return next < 0 ? rest : rest.slice(0, next);
}

function examples(text: string): Example[] {
  return [...text.matchAll(/```sql([^\n]*)\n([\s\S]*?)```/g)].map((m) => {
    const attrs = Object.fromEntries(
      [...m[1]!.matchAll(/(\w+)=(\S+)/g)].map((a) => [a[1]!, a[2]!]),
    );
    const ex: Example = { file: attrs.file ?? "2_example.up.sql", sql: m[2]! };
    if (attrs.dialect) ex.dialect = attrs.dialect as Dialect;
    return ex;
  });
}

async function run(id: string, exs: Example[]) {
  const meta = RULES_BY_ID.get(id)!;
  const dialect =
    exs[0]?.dialect ?? (meta.dialects === "all" ? "postgres" : (meta.dialects[0] as Dialect));
  const files = Object.fromEntries(exs.map((e) => [e.file, e.sql]));
  return lint({ files, dialect, base: ["1_init.up.sql", "1_init.down.sql"] });
}

test("every registered rule has a page", () => {
  expect(RULE_IDS.filter((id) => !existsSync(join(docs, `rules/${id}.md`)))).toEqual([]);
  expect(existsSync(join(docs, "suppression.md"))).toBe(true);
});

describe.each(RULE_IDS)("docs/rules/%s.md", (id) => {
  const meta = RULES_BY_ID.get(id)!;
  const read = () => readFileSync(join(docs, `rules/${id}.md`), "utf8");

  test("has the title, metadata and required sections in order", () => {
    const md = read();
    expect(md.startsWith(`# ${id}\n`)).toBe(true);
    expect(md).toContain(`**Default severity:** ${meta.defaultSeverity}`);
    const dialects = meta.dialects === "all" ? "all" : meta.dialects.join(", ");
    expect(md).toContain(`**Dialects:** ${dialects}`);
    const positions = SECTIONS.map((h) => md.indexOf(`\n${h}${h.endsWith(" ") ? "" : "\n"}`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(section(md, "### Bad")).toMatch(/```[^\n]*\n[\s\S]+?```/);
    expect(section(md, "### Good")).toMatch(/```[^\n]*\n[\s\S]+?```/);
  });

  test("explains how to suppress it (or that it cannot be)", () => {
    const s = section(read(), "## Suppressing");
    if (meta.suppressible)
      expect(s).toMatch(
        new RegExp(`migration-warden:ignore(-file)? [^\\n]*\\b${id}\\b[^\\n]* -- `),
      );
    else expect(s).toMatch(/cannot be suppressed|not possible with a comment/i);
  });

  // Structural pages show file layouts, and replay findings need the sandbox: only the SQL and
  // engine rules' examples run here.
  if (RUNNABLE.has(id)) {
    test("the Bad example triggers the rule and the Good one does not", async () => {
      const md = read();
      const bad = (await run(id, examples(section(md, "### Bad")))).filter(
        (f) => f.ruleId === id && !f.suppressed,
      );
      expect(bad.length).toBeGreaterThan(0);
      const good = await run(id, examples(section(md, "### Good")));
      expect(good.filter((f) => f.ruleId === id && !f.suppressed)).toEqual([]);
      expect(good.filter((f) => f.ruleId === "sql-parse-error")).toEqual([]);
    });
  }
});
