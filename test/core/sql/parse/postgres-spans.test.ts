/**
 * Every Postgres action has an exact span, from the parser's own tokens (libpg-query's scanner):
 * each ALTER TABLE subcommand and each RENAME lies inside its statement and starts at its own
 * keyword. A span that falls back to the whole statement is a bug this test catches, over every
 * Postgres example of the rule docs and over text written to confuse a second lexer.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AlterAction, Span, StatementModel } from "../../../../src/core/sql/model.js";
import { parse, sourceOf } from "../../../helpers/source.js";

/** The keyword each action starts with (ALTER is ALTER [COLUMN], never the statement's own). */
const KEYWORD: Record<AlterAction["type"], RegExp> = {
  "add-column": /^ADD\b/i,
  "add-constraint": /^ADD\b/i,
  "drop-column": /^DROP\b/i,
  "drop-constraint": /^DROP\b/i,
  "alter-column-type": /^ALTER\b/i,
  "set-not-null": /^ALTER\b/i,
  "drop-not-null": /^ALTER\b/i,
  "set-default": /^ALTER\b/i,
  "drop-default": /^ALTER\b/i,
  "validate-constraint": /^VALIDATE\b/i,
  "detach-partition": /^DETACH\b/i,
  "set-storage": /^SET\b/i,
  "rename-column": /^RENAME\b/i,
  "rename-table": /^RENAME\b/i,
  "rename-constraint": /^RENAME\b/i,
  other: /^[A-Z]+\b/i,
};

interface Placed {
  model: StatementModel;
  span: Span;
}

/** Top-level statements and the statements they run (CTEs, DO blocks, EXECUTEd strings…). */
function placed(sql: string, statements: Awaited<ReturnType<typeof parse>>["statements"]) {
  const out: Placed[] = [];
  const add = (model: StatementModel, span: Span) => {
    out.push({ model, span });
    for (const e of model.effects?.embedded ?? []) add(e.model, e.span);
    if (model.kind === "create-routine") for (const e of model.body.embedded) add(e.model, e.span);
  };
  for (const s of statements) if (s.model) add(s.model, { start: s.split.start, end: s.split.end });
  return out.map((p) => ({ ...p, text: sql }));
}

/** Problems with the action spans of one SQL text (empty when all are exact). */
async function spanProblems(sql: string, checked = { actions: 0 }): Promise<string[]> {
  const problems: string[] = [];
  for (const { model, span, text } of placed(sql, (await parse(sql)).statements)) {
    if (model.kind !== "alter-table") continue;
    for (const a of model.actions) {
      checked.actions++;
      const written = text.slice(a.span.start, a.span.end);
      const where = `${a.type} ${JSON.stringify(written)} in ${JSON.stringify(text.slice(span.start, span.end))}`;
      if (a.span.start < span.start || a.span.end > span.end) problems.push(`outside: ${where}`);
      if (a.span.start <= span.start) problems.push(`whole statement: ${where}`);
      if (!KEYWORD[a.type].test(written) || /^ALTER\s+TABLE\b/i.test(written))
        problems.push(`not at its keyword: ${where}`);
      if (written !== written.trim() || a.span.end <= a.span.start)
        problems.push(`ragged: ${where}`);
    }
  }
  return problems;
}

const docs = join(dirname(fileURLToPath(import.meta.url)), "../../../../docs/rules");
const docExamples = readdirSync(docs)
  .filter((f) => f.endsWith(".md"))
  .flatMap((f) =>
    [...readFileSync(join(docs, f), "utf8").matchAll(/```sql([^\n]*)\n([\s\S]*?)```/g)]
      .filter((m) => !/dialect=(?!postgres|cockroachdb)/.test(m[1]!))
      .map((m) => [f, m[2]!] as const),
  );

test("rule docs: every Postgres action span is exact", async () => {
  const checked = { actions: 0 };
  const problems: string[] = [];
  // Examples of other dialects and unparsable ones (sql-parse-error) have no Postgres actions.
  for (const [file, sql] of docExamples)
    for (const p of await spanProblems(sql, checked)) problems.push(`${file}: ${p}`);
  expect(problems).toEqual([]);
  expect(checked.actions).toBeGreaterThan(40);
});

/** Text where a lexer that is not Postgres' own would cut the commands elsewhere. */
const ADVERSARIAL: Array<[string, string, string[]]> = [
  [
    "commas and dots inside quoted names and strings",
    `ALTER TABLE "we,ird"."t.a" ADD COLUMN "x,y" text DEFAULT 'a,b', DROP COLUMN z`,
    [`ADD COLUMN "x,y" text DEFAULT 'a,b'`, "DROP COLUMN z"],
  ],
  [
    "multibyte names and strings (the parser counts bytes)",
    "ALTER TABLE données\n  ADD COLUMN été text DEFAULT 'ü,ß',\n  ALTER COLUMN 名前 SET NOT NULL,\n  ADD COLUMN 😀 int",
    ["ADD COLUMN été text DEFAULT 'ü,ß'", "ALTER COLUMN 名前 SET NOT NULL", "ADD COLUMN 😀 int"],
  ],
  [
    "comments between and after commands",
    "ALTER TABLE t /* a, b */ ADD COLUMN a int, -- c, d\n  DROP COLUMN b /* e, */",
    ["ADD COLUMN a int", "DROP COLUMN b"],
  ],
  [
    "nested block comments (Postgres nests them)",
    "ALTER TABLE t ADD COLUMN a int /* outer /* inner, */ still, a comment */, DROP COLUMN b",
    ["ADD COLUMN a int", "DROP COLUMN b"],
  ],
  [
    "dollar-quoted and escape strings",
    "ALTER TABLE t ADD COLUMN a text DEFAULT $x$a, $y$ b$x$, ALTER COLUMN c SET DEFAULT E'\\', ', DROP COLUMN b",
    [
      "ADD COLUMN a text DEFAULT $x$a, $y$ b$x$",
      "ALTER COLUMN c SET DEFAULT E'\\', '",
      "DROP COLUMN b",
    ],
  ],
  [
    "Unicode-escaped name, IF EXISTS, ONLY and a descendant star",
    `ALTER TABLE IF EXISTS ONLY U&"t\\0061" ADD COLUMN a int, DROP COLUMN b`,
    ["ADD COLUMN a int", "DROP COLUMN b"],
  ],
  [
    "descendant star",
    "ALTER TABLE s.t * DROP COLUMN b, DROP COLUMN c",
    ["DROP COLUMN b", "DROP COLUMN c"],
  ],
  [
    "brackets and parentheses",
    "ALTER TABLE t ALTER COLUMN a TYPE int[] USING ARRAY[1, 2], ADD CONSTRAINT c CHECK (f(a, b) > 0) NOT VALID, SET (fillfactor = 70, autovacuum_enabled = off)",
    [
      "ALTER COLUMN a TYPE int[] USING ARRAY[1, 2]",
      "ADD CONSTRAINT c CHECK (f(a, b) > 0) NOT VALID",
      "SET (fillfactor = 70, autovacuum_enabled = off)",
    ],
  ],
  [
    "Go template placeholders in the name",
    "ALTER TABLE {{ .Schema }}.t ADD COLUMN a int, DROP COLUMN b",
    ["ADD COLUMN a int", "DROP COLUMN b"],
  ],
  [
    "a table named like a keyword",
    `ALTER TABLE "table" DROP COLUMN "drop"`,
    [`DROP COLUMN "drop"`],
  ],
  [
    "RENAME COLUMN on its own line",
    "ALTER TABLE t\n  RENAME COLUMN a TO b",
    ["RENAME COLUMN a TO b"],
  ],
  ["RENAME TO", "ALTER TABLE IF EXISTS s.t /* , */ RENAME TO u", ["RENAME TO u"]],
  ["RENAME CONSTRAINT", "ALTER TABLE t RENAME CONSTRAINT c TO d", ["RENAME CONSTRAINT c TO d"]],
];

test.each(ADVERSARIAL)("%s", async (_name, sql, expected) => {
  const checked = { actions: 0 };
  expect(await spanProblems(sql, checked)).toEqual([]);
  expect(checked.actions).toBe(expected.length);
  const m = (await parse(sql)).statements[0]!.model!;
  expect(m.kind).toBe("alter-table");
  if (m.kind !== "alter-table") return;
  expect(m.actions.map((a) => sql.slice(a.span.start, a.span.end))).toEqual(expected);
});

test("actions inside a DO block and an EXECUTEd string are placed too", async () => {
  const sql = [
    "DO $$",
    "BEGIN",
    "  ALTER TABLE t DROP COLUMN a,",
    "    ADD COLUMN b int;",
    "  EXECUTE 'ALTER TABLE u DROP COLUMN c, DROP COLUMN d';",
    "END $$;",
  ].join("\n");
  expect(await spanProblems(sql)).toEqual([]);
  const all = placed(sql, (await parse(sql)).statements).flatMap(({ model }) =>
    model.kind === "alter-table"
      ? model.actions.map((a) => sql.slice(a.span.start, a.span.end))
      : [],
  );
  expect(all).toEqual(["DROP COLUMN a", "ADD COLUMN b int", "DROP COLUMN c", "DROP COLUMN d"]);
});

// Moved from test/core/sql/lexer.test.ts (the lexer no longer places Postgres actions).
test("ALTER TABLE action spans split at top-level commas only", async () => {
  const sql =
    'ALTER TABLE IF EXISTS ONLY s."T" ADD COLUMN a numeric(10, 2) DEFAULT f(1, 2), DROP COLUMN b';
  const m = (await parse(`SELECT 1;\n${sql}`)).statements[1]!.model!;
  if (m.kind !== "alter-table") throw new Error(m.kind);
  const base = "SELECT 1;\n".length;
  expect(m.actions.map((s) => sql.slice(s.span.start - base, s.span.end - base))).toEqual([
    "ADD COLUMN a numeric(10, 2) DEFAULT f(1, 2)",
    "DROP COLUMN b",
  ]);
  const other = (await parse("ALTER INDEX i RENAME TO j")).statements[0]!.model!;
  expect(other.kind).toBe("other");
  expect(sourceOf(sql).text).toBe(sql);
});
