/**
 * Every registered rule has docs/rules/<id>.md with the required sections, and the examples are
 * real: the "Bad" example triggers the rule, the "Good" one does not. SQL and engine rules' SQL
 * runs through the whole lint; structural rules' file layouts run as a change set.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  ENGINE_RULES,
  RULES_BY_ID,
  RULE_IDS,
  SQL_RULES,
  REPLAY_RULES,
  STRUCTURE_RULES,
} from "../../src/core/rules/registry.js";
import type { Dialect, Finding } from "../../src/core/types.js";
import { lint } from "../helpers/lint.js";
import { findings as structuralFindings } from "../helpers/structure.js";
import { DIR, runScenario, testCache } from "../replay/support.js";
import { shareSandbox } from "../support/shared-sandbox.js";
import { changeSet, type ChangeSpec } from "../support/changeset.js";

const RUNNABLE = new Set<string>([
  ...SQL_RULES.map((r) => r.meta.id),
  ...ENGINE_RULES.map((r) => r.meta.id),
]);
/**
 * Structural pages whose layouts run as a change set. Not here: migration-directory-not-a-directory
 * (its examples are about the directory entry itself; test/core/rules/structure/ covers them).
 */
const LAYOUTS = new Set<string>(
  STRUCTURE_RULES.map((r) => r.meta.id).filter(
    (id) => id !== "migration-directory-not-a-directory",
  ),
);
/** Replay pages: their files run through the sandbox (PGlite). */
const REPLAYED = new Set<string>(REPLAY_RULES.map((r) => r.meta.id));
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
  /** `merged=true`: a merged up migration the CLI's git mode reads (the merged schema). */
  merged?: boolean;
  /** `version=14.2`: the directory's databaseVersion (rules that depend on the server). */
  version?: string;
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
    if (attrs.merged === "true") ex.merged = true;
    if (attrs.version) ex.version = attrs.version;
    return ex;
  });
}

/** Content for a file a layout only names. */
const SOME_SQL = "SELECT 1;\n";

/**
 * A structural page's examples as a change: `text` blocks list paths (`(merged)`/`(unchanged)`:
 * on the base; `deleted: p`, `renamed: a → b`, `p -> target (symlink)`; otherwise added), `sql`
 * blocks hold files under `-- <path>` headers, `diff` blocks an edit of a merged file.
 */
function layout(text: string): { spec: ChangeSpec; symlinks: string[] } {
  const base: Record<string, Record<string, string>> = {};
  const spec: ChangeSpec = { base, add: {}, modify: {}, remove: [], rename: [] };
  const symlinks: string[] = [];
  const onBase = (path: string, content = SOME_SQL) => {
    const slash = path.lastIndexOf("/");
    (base[path.slice(0, slash)] ??= {})[path.slice(slash + 1)] = content;
  };
  for (const m of text.matchAll(/```(text|sql|diff)[^\n]*\n([\s\S]*?)```/g)) {
    const lines = m[2]!.split("\n").filter((l) => l.trim() !== "");
    if (m[1] === "text") {
      for (const line of lines) {
        let x: RegExpMatchArray | null;
        if ((x = /^deleted: (\S+)$/.exec(line))) {
          onBase(x[1]!);
          spec.remove!.push(x[1]!);
        } else if ((x = /^renamed: (\S+) → (\S+)$/.exec(line))) {
          onBase(x[1]!);
          spec.rename!.push([x[1]!, x[2]!]);
        } else if ((x = /^(\S+) -> \S+\s+\(symlink\)$/.exec(line))) {
          symlinks.push(x[1]!);
        } else if ((x = /^(\S+)\s*(\((merged|unchanged)\))?/.exec(line))) {
          if (x[3]) onBase(x[1]!);
          else spec.add![x[1]!] = SOME_SQL;
        }
      }
    } else if (m[1] === "sql") {
      let current: { path: string; merged: boolean; body: string[] } | null = null;
      const flush = () => {
        if (!current) return;
        const body = current.body.map((l) => `${l}\n`).join("");
        if (current.merged) onBase(current.path, body);
        else spec.add![current.path] = body;
      };
      for (const line of m[2]!.split("\n")) {
        const h = /^-- (\S+\.sql)(?: \((merged|new)\))?(?:(?::| \().*)?$/.exec(line);
        if (h) {
          flush();
          current = { path: h[1]!, merged: h[2] === "merged", body: [] };
        } else if (current && line !== "") current.body.push(line);
      }
      flush();
    } else {
      const path = /^ -- (\S+)/.exec(lines[0]!)![1]!;
      const old = lines.slice(1).filter((l) => !l.startsWith("+"));
      const now = lines.slice(1).filter((l) => !l.startsWith("-"));
      onBase(path, old.map((l) => `${l.slice(1)}\n`).join(""));
      spec.modify![path] = now.map((l) => `${l.slice(1)}\n`).join("");
    }
  }
  return { spec, symlinks };
}

async function runLayout(text: string): Promise<Finding[]> {
  const { spec, symlinks } = layout(text);
  spec.base!.migrations ??= {};
  const cs = changeSet(spec);
  for (const path of symlinks)
    (cs.changes as object[]).push({ path, status: "added", kind: "symlink", oid: "1".repeat(40) });
  return structuralFindings(cs);
}

const replayCache = testCache();
// The examples' subject is what a replay rule reports, not the sandbox's start or isolation: one
// thread and one reset database for the file (its isolation is proven in
// test/replay/shared-sandbox.test.ts; engines.test.ts replays as production does).
const sandbox = shareSandbox();
afterAll(() => {
  // The replay pages did go through it (else this file would be back to a thread per example).
  expect(sandbox.stats.jobs).toBeGreaterThan(0);
});

/** A replay page's example (`sql` blocks with `-- <path>` headers) through the sandbox. */
async function runReplay(text: string): Promise<Finding[]> {
  const { spec } = layout(text);
  const names = (files: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(files).map(([p, c]) => [p.replace(`${DIR}/`, ""), c as string]),
    );
  const r = await runScenario({
    base: names(spec.base![DIR] ?? {}),
    add: names(spec.add!),
    cache: replayCache,
  });
  return r.findings;
}

async function run(id: string, exs: Example[]) {
  const meta = RULES_BY_ID.get(id)!;
  const dialect =
    exs[0]?.dialect ?? (meta.dialects === "all" ? "postgres" : (meta.dialects[0] as Dialect));
  const files = Object.fromEntries(exs.filter((e) => !e.merged).map((e) => [e.file, e.sql]));
  const merged = exs.filter((e) => e.merged);
  // An opt-in rule's examples run with the rule turned on, as its page tells users to.
  const rules = meta.optIn ? { [id]: meta.defaultSeverity } : {};
  const version = exs.find((e) => e.version)?.version;
  return lint({
    files,
    dialect,
    rules,
    ...(version ? { databaseVersion: version } : {}),
    base: ["1_init.up.sql", "1_init.down.sql"],
    ...(merged.length > 0
      ? { merged: Object.fromEntries(merged.map((e) => [e.file, e.sql])) }
      : {}),
  });
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
    if (meta.optIn) expect(md).toMatch(/\*\*Default severity:\*\* \w+ \(off by default/);
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

  if (LAYOUTS.has(id)) {
    test("the Bad layout triggers the rule and the Good one does not", async () => {
      const md = read();
      // A notice can be the documented outcome of a Good layout (empty-migration: a down file
      // whose comment says why the migration is irreversible), so only notices may remain there.
      const bad = (await runLayout(section(md, "### Bad"))).filter((f) => f.ruleId === id);
      expect(bad.filter((f) => f.severity !== "notice").length).toBeGreaterThan(0);
      const good = await runLayout(section(md, "### Good"));
      expect(good.filter((f) => f.ruleId === id && f.severity !== "notice")).toEqual([]);
    });
  }

  if (REPLAYED.has(id)) {
    test("the Bad example's replay reports the rule and the Good one's does not", async () => {
      const md = read();
      const bad = await runReplay(section(md, "### Bad"));
      expect(bad.filter((f) => f.ruleId === id).length).toBeGreaterThan(0);
      const good = await runReplay(section(md, "### Good"));
      expect(good.filter((f) => f.ruleId === id)).toEqual([]);
      // The Good example was really replayed, not skipped.
      expect(good.filter((f) => f.ruleId === "replay-skipped")).toEqual([]);
    }, 120_000);
  }

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
