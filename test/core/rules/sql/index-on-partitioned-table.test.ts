import { describe, expect, test } from "@jest/globals";
import { schemaFromJson, schemaToJson } from "../../../../src/core/schema/snapshot.js";
import { catalogSchema } from "../../../../src/replay/catalog-schema.js";
import type { Schema } from "../../../../src/replay/schema.js";
import { ruleTester } from "../../../helpers/rule-tester.js";

const EVENTS =
  "CREATE TABLE events (id bigint, at timestamptz NOT NULL, kind text) PARTITION BY RANGE (at);\n" +
  "CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');\n" +
  "CREATE TABLE plain (id bigint, kind text);\n";

ruleTester("index-on-partitioned-table", {
  valid: [
    {
      name: "not known to be partitioned: silent (GitHub mode has no merged history)",
      code: "CREATE INDEX events_kind_idx ON events (kind);",
    },
    {
      name: "a plain table of the merged history",
      merged: { "1_init.up.sql": EVENTS },
      code: "CREATE INDEX CONCURRENTLY plain_kind_idx ON plain (kind);",
    },
    {
      name: "the safe recipe: ON ONLY the parent, concurrently per partition, ATTACH",
      merged: { "1_init.up.sql": EVENTS },
      code: [
        "CREATE INDEX events_kind_idx ON ONLY events (kind);",
        "CREATE INDEX CONCURRENTLY events_2026_kind_idx ON events_2026 (kind);",
        "ALTER INDEX events_kind_idx ATTACH PARTITION events_2026_kind_idx;",
      ].join("\n"),
      multiStatement: true,
    },
    {
      name: "a partitioned table the change creates holds no deployed rows",
      code: "CREATE TABLE logs (at timestamptz) PARTITION BY RANGE (at);\nCREATE INDEX logs_at_idx ON logs (at);",
    },
  ],
  invalid: [
    {
      name: "partitioned in the merged history",
      merged: { "1_init.up.sql": EVENTS },
      code: "CREATE INDEX events_kind_idx ON events (kind);",
      errors: [
        {
          line: 1,
          message:
            /CREATE INDEX events_kind_idx on partitioned table events builds the index on every partition/,
        },
      ],
    },
    {
      name: "attacker: CONCURRENTLY, quoting, schema-qualified, comments",
      merged: { "1_init.up.sql": EVENTS },
      code: 'CREATE /* x */ UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "events_id_idx"\n  ON public."events" (id, at);',
      multiStatement: true,
      errors: [{ line: 1, endLine: 2, message: /CONCURRENTLY .* fails: Postgres cannot build/ }],
    },
    {
      name: "attacker: CONCURRENTLY on a partitioned table created earlier in the change fails",
      files: {
        "2_a.up.sql": "CREATE TABLE logs (at timestamptz) PARTITION BY RANGE (at);",
        "3_b.up.sql": "CREATE INDEX CONCURRENTLY logs_at_idx ON logs (at);",
      },
      errors: [{ file: "3_b.up.sql", line: 1, message: /fails/ }],
    },
    {
      name: "attacker: in a DO block",
      merged: { "1_init.up.sql": EVENTS },
      code: "DO $$ BEGIN CREATE INDEX events_at_idx ON events (at); END $$;",
      errors: [{ line: 1, message: /partitioned table events/ }],
    },
    {
      name: "attacker: the merged history renamed the partitioned table",
      merged: { "1_init.up.sql": EVENTS + "ALTER TABLE events RENAME TO audit_events;\n" },
      code: "CREATE INDEX audit_events_kind_idx ON audit_events (kind);",
      errors: [{ line: 1, message: /partitioned table audit_events/ }],
    },
  ],
});

describe("the partitioned fact in the schema model", () => {
  test("the replay's catalog marks a table with a partition key; a snapshot keeps it", () => {
    const fp: Schema = {
      "table public.events": {
        kind: "table",
        name: "public.events",
        attrs: { partitionKey: "RANGE (at)" },
      },
      "table public.plain": { kind: "table", name: "public.plain", attrs: {} },
    };
    const schema = catalogSchema(fp, "postgres")!;
    expect(schema.lookup({ name: "events" }).table?.partitioned).toBe(true);
    expect(schema.lookup({ name: "plain" }).table?.partitioned).toBeUndefined();
    const back = schemaFromJson(schemaToJson(schema))!;
    expect(back.lookup({ name: "events" }).table?.partitioned).toBe(true);
    expect(back.clone().lookup({ name: "events" }).table?.partitioned).toBe(true);
  });
});
