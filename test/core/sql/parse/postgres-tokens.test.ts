/**
 * The ALTER TABLE spans read without the server's scanner (`plainTokens`, for plain text) are
 * the scanner's spans: every statement below is cut both ways and compared, over the rule docs'
 * Postgres examples and over text written to make a second lexer disagree with the scanner
 * (commas, brackets and quotes inside strings and quoted identifiers, numbers with dots, casts,
 * string continuations, characters outside the plain alphabet).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseSync } from "libpg-query";
import { loadParsers } from "../../../../src/core/sql/parse/index.js";
import {
  commandSpans,
  plainTokens,
  scanStatement,
} from "../../../../src/core/sql/parse/postgres/tokens.js";
import { Locator } from "../../../../src/core/sql/parse/types.js";
import { sourceOf } from "../../../helpers/source.js";

const docs = join(dirname(fileURLToPath(import.meta.url)), "../../../../docs/rules");

type Json = Record<string, unknown>;

/** Where the table name starts and how many commands there are, as alter-table.ts reads them. */
function alterOf(text: string): { relation: number; count: number } | null {
  let stmt: Json | undefined;
  try {
    stmt = (parseSync(text) as { stmts?: Array<{ stmt?: Json }> }).stmts?.[0]?.stmt;
  } catch {
    return null;
  }
  const alter = stmt?.AlterTableStmt as Json | undefined;
  const rename = stmt?.RenameStmt as Json | undefined;
  const body = alter ?? rename;
  const at = (body?.relation as Json | undefined)?.location;
  if (typeof at !== "number" || at < 0) return null;
  const count = alter
    ? ((alter.cmds as Json[] | undefined) ?? []).filter((c) => "AlterTableCmd" in c).length
    : 1;
  return { relation: new Locator(text, 0).index(at), count };
}

/** Both cuts of one statement; `plain` says whether the fast path took it. */
function compare(text: string) {
  const found = alterOf(text);
  if (!found) return null;
  const input = { text, base: 100, span: { start: 100, end: 100 + text.length } };
  return {
    plain: plainTokens(text, found.relation) !== null,
    fast: commandSpans(input, found.relation, found.count),
    scanner: commandSpans(input, found.relation, found.count, scanStatement(text)),
  };
}

const CRAFTED = [
  "ALTER TABLE users ADD COLUMN c uuid DEFAULT gen_random_uuid(), ADD COLUMN d boolean NOT NULL DEFAULT false",
  "ALTER TABLE public.users ALTER COLUMN e SET NOT NULL;",
  'ALTER TABLE "My, Table" ADD COLUMN "a,b" int, DROP COLUMN "c(""d"")"',
  "ALTER TABLE ONLY t ADD CONSTRAINT c CHECK (a IN ('x,y', 'it''s (a)', '[')), VALIDATE CONSTRAINT k",
  "ALTER TABLE IF EXISTS s.t * ADD COLUMN n numeric(10,2) DEFAULT 1.5, ADD COLUMN m numeric DEFAULT .5",
  "ALTER TABLE t ADD COLUMN n numeric DEFAULT 1.",
  "ALTER TABLE t ALTER COLUMN x TYPE bigint USING x::bigint, ALTER COLUMN y SET DEFAULT 'a'::text",
  "ALTER TABLE t ADD COLUMN a int[] DEFAULT ARRAY[1,2,3], ADD COLUMN b int DEFAULT 1_000",
  "ALTER TABLE t ADD COLUMN s text DEFAULT 'a'\n  'b', DROP COLUMN z",
  "ALTER TABLE t ADD COLUMN s text DEFAULT E'x,y''z', ADD COLUMN b bit(3) DEFAULT B'101'",
  "ALTER TABLE t RENAME COLUMN a TO b",
  "ALTER TABLE s.t RENAME TO u;",
  "ALTER TABLE t RENAME CONSTRAINT c TO d",
  "ALTER TABLE\tt\r\n\fADD\vCOLUMN x int",
  // Non-ASCII before the table name only: string indexes, not bytes, from the name on.
  "-- créer la table ; \u00e9\nALTER TABLE t ADD COLUMN a int, ADD COLUMN b text DEFAULT 'x'",
  // Outside the plain alphabet: the scanner's.
  "ALTER TABLE t ADD COLUMN a int, -- a comment, with a comma\n ADD COLUMN b int",
  "ALTER TABLE t ADD COLUMN a int /* , */, ADD COLUMN b int",
  "ALTER TABLE t ADD COLUMN a text DEFAULT $$x,y$$, ADD COLUMN b int",
  "ALTER TABLE t ADD COLUMN a text DEFAULT E'\\',', ADD COLUMN b int",
  "ALTER TABLE t ADD COLUMN a int DEFAULT -1, ADD COLUMN b int DEFAULT 1e-5",
  "ALTER TABLE tablé ADD COLUMN ä int, ADD COLUMN b int",
  "ALTER TABLE t\u00a0ADD COLUMN a int",
  'ALTER TABLE U&"t\\0061" ADD COLUMN a int',
  "ALTER TABLE t ADD CONSTRAINT c CHECK (a <> 1 AND b >= 2), ADD COLUMN d int",
];

test("plain ALTER TABLE text is cut as the scanner cuts it, and the rest goes to the scanner", async () => {
  await loadParsers("postgres");
  const results = CRAFTED.map((text) => ({ text, r: compare(text) }));
  for (const { text, r } of results) {
    expect({ text, spans: r?.fast }).toEqual({ text, spans: r?.scanner });
    expect(r?.scanner).not.toBeNull();
  }
  const plain = results.filter((x) => x.r?.plain).map((x) => x.text);
  expect(plain).toEqual(CRAFTED.slice(0, 15));
});

test("the rule docs' Postgres ALTER TABLEs: same spans either way", async () => {
  await loadParsers("postgres");
  let compared = 0;
  let plain = 0;
  for (const name of readdirSync(docs).filter((n) => n.endsWith(".md"))) {
    const md = readFileSync(join(docs, name), "utf8");
    for (const [, block] of md.matchAll(/```sql\n([\s\S]*?)```/g)) {
      for (const s of sourceOf(block!).split.statements) {
        if (!/\bALTER\s+TABLE\b/i.test(s.text)) continue;
        const r = compare(s.text);
        if (!r) continue;
        compared++;
        if (r.plain) plain++;
        expect({ text: s.text, spans: r.fast }).toEqual({ text: s.text, spans: r.scanner });
      }
    }
  }
  expect(compared).toBeGreaterThan(40);
  expect(plain).toBeGreaterThan(compared / 2);
});
