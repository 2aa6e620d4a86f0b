/**
 * warmPostgresParser (the CLI's throwaway first parse while git runs): what the parser answers
 * afterwards is what it answers without it, for trees, token scans, PL/pgSQL bodies and errors.
 */
import { expect, test } from "@jest/globals";
import { parsePlPgSQLSync, parseSync, scanSync } from "libpg-query";
import { loadParsers } from "../../../../src/core/sql/parse/index.js";
import { warmPostgresParser } from "../../../../src/core/sql/parse/postgres.js";

const SQL = [
  "CREATE TABLE w (id bigint PRIMARY KEY, a text DEFAULT '{}'::jsonb)",
  "ALTER TABLE users ADD COLUMN c uuid DEFAULT gen_random_uuid(), DROP COLUMN d",
  "CREATE INDEX CONCURRENTLY i ON w (a) WHERE id > 0",
  "UPDATE w SET a = 'x' WHERE id IN (SELECT id FROM w LIMIT 1)",
];
const BODY =
  "CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN NEW.a := now(); RETURN NEW; END; $$ LANGUAGE plpgsql";
const BROKEN = "CREATE TABLE (";

function answers(): string {
  const error = (() => {
    try {
      parseSync(BROKEN);
      return "parsed";
    } catch (e) {
      return JSON.stringify([(e as Error).message, (e as { sqlDetails?: unknown }).sqlDetails]);
    }
  })();
  return JSON.stringify([
    SQL.map((s) => parseSync(s)),
    SQL.map((s) => scanSync(s)),
    parsePlPgSQLSync(BODY),
    error,
  ]);
}

test("the parser's answers are the same after the warm-up, and again after another", async () => {
  await loadParsers("postgres");
  const before = answers();
  warmPostgresParser();
  expect(answers()).toBe(before);
  warmPostgresParser();
  expect(answers()).toBe(before);
});
