import { ruleTester } from "../../../helpers/rule-tester.js";
import { lint } from "../../../helpers/lint.js";

ruleTester("detach-partition-not-concurrently", {
  valid: [
    { code: "ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY;" },
    { code: "ALTER TABLE events DETACH PARTITION events_2020 FINALIZE;" },
    {
      name: "before Postgres 14 there is no CONCURRENTLY",
      databaseVersion: "13",
      code: "ALTER TABLE events DETACH PARTITION events_2020;",
    },
    {
      name: "a partitioned table created in the same file",
      code: "CREATE TABLE events (at date) PARTITION BY RANGE (at);\nCREATE TABLE events_2020 PARTITION OF events FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');\nALTER TABLE events DETACH PARTITION events_2020;",
    },
    { code: "ALTER TABLE events ATTACH PARTITION events_2020 FOR VALUES FROM (1) TO (2);" },
  ],
  invalid: [
    {
      code: "ALTER TABLE events DETACH PARTITION events_2020;",
      errors: [{ line: 1, message: /ACCESS EXCLUSIVE lock on events, the partitioned table/ }],
    },
    {
      name: "Postgres 14 configured",
      databaseVersion: "14",
      code: "ALTER TABLE app.events DETACH PARTITION app.events_2020;",
      errors: [{ line: 1, message: /app\.events_2020/ }],
    },
    {
      name: "attacker: comments between the keywords and a DO block",
      code: "DO $$ BEGIN ALTER TABLE events DETACH /* x */ PARTITION events_2020; END $$;",
      errors: [{ line: 1 }],
    },
    {
      name: "attacker: ONLY, quoting and a line comment splitting the statement",
      code: 'ALTER TABLE ONLY "Events" -- archive\n  DETACH PARTITION "Events_2020";',
      errors: [{ line: 2, message: /Events_2020/ }],
    },
  ],
});

test("a concurrent detach is not reported by this rule, and non-transactional-statement-in-transaction catches it in a transaction", async () => {
  const fs = await lint({
    files: {
      "2_x.up.sql": "SELECT 1;\nALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY;",
    },
    base: ["1_init.up.sql", "1_init.down.sql"],
  });
  expect(fs.map((f) => f.ruleId)).toContain("non-transactional-statement-in-transaction");
  expect(fs.map((f) => f.ruleId)).not.toContain("detach-partition-not-concurrently");
});
