import { ruleTester } from "../../../helpers/rule-tester.js";

const cic = "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);";

ruleTester("concurrent-index-buggy-pg", {
  valid: [
    { name: "no databaseVersion: silent", code: cic },
    { name: "14.4 has the fix", databaseVersion: "14.4", code: cic },
    { name: "13.7", databaseVersion: "13.7", code: cic },
    { name: "15", databaseVersion: "15", code: cic },
    { name: "140 is not 14", databaseVersion: "140.1", code: cic },
    {
      name: "without CONCURRENTLY (another rule's matter)",
      databaseVersion: "14.2",
      code: "CREATE INDEX orders_customer_idx ON orders (customer_id);\nREINDEX TABLE orders;",
    },
    {
      name: "a table created earlier in the change holds no rows a build could miss",
      databaseVersion: "14.2",
      files: {
        "2_orders.up.sql": "CREATE TABLE orders (id bigint, customer_id bigint);",
        "3_idx.up.sql": cic,
        "4_re.up.sql": "REINDEX TABLE CONCURRENTLY orders;",
      },
    },
    {
      name: "text that only mentions it",
      databaseVersion: "14.2",
      code: "-- CREATE INDEX CONCURRENTLY i ON t (a);\nSELECT 'REINDEX TABLE CONCURRENTLY t';",
    },
  ],
  invalid: [
    {
      name: "CREATE INDEX CONCURRENTLY on 14.2",
      databaseVersion: "14.2",
      code: cic,
      errors: [{ line: 1, message: /on Postgres 14\.2 \(databaseVersion\): .*fixed in 14\.4/ }],
    },
    {
      name: "14.0 and REINDEX CONCURRENTLY of an index, a table, a schema",
      databaseVersion: "14.0",
      code: [
        "REINDEX INDEX CONCURRENTLY s.i;",
        "REINDEX TABLE CONCURRENTLY orders;",
        "REINDEX SCHEMA CONCURRENTLY app;",
      ].join("\n"),
      errors: [
        { line: 1, message: /REINDEX INDEX CONCURRENTLY s\.i on Postgres 14\.0/ },
        { line: 2, message: /REINDEX TABLE CONCURRENTLY orders/ },
        { line: 3 },
      ],
    },
    {
      name: "attacker: comments between keywords, case, quoted and qualified names, UNIQUE, IF NOT EXISTS, 14.3",
      databaseVersion: "14.3",
      code: 'create unique /* a */ index\n  -- b\n  concurrently if not exists "Idx" on "App"."Orders" (a);',
      errors: [{ line: 1, endLine: 3, message: /ON App\.Orders/ }],
    },
    {
      name: "a table created with IF NOT EXISTS may have existed with its rows",
      databaseVersion: "14.1",
      files: {
        "2_orders.up.sql": "CREATE TABLE IF NOT EXISTS orders (id bigint, customer_id bigint);",
        "3_idx.up.sql": cic,
      },
      errors: [{ line: 1, file: "3_idx.up.sql" }],
    },
    {
      name: '"14" does not say the minor release: a notice asking for it',
      databaseVersion: "14",
      code: cic,
      errors: [{ line: 1, severity: "notice", message: /does not say the minor release/ }],
    },
  ],
});
