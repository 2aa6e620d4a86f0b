import { ruleTester } from "../../../helpers/rule-tester.js";
import { lint } from "../../../helpers/lint.js";

ruleTester("add-unique-on-existing-data", {
  valid: [
    { code: "CREATE INDEX CONCURRENTLY users_email ON users (email);" },
    {
      name: "table created in this file",
      code: "CREATE TABLE t (id bigint, email text);\nCREATE UNIQUE INDEX t_email ON t (email);",
    },
    {
      name: "key column added empty in this change: NULL in every existing row",
      code: "ALTER TABLE users ADD COLUMN external_id text;\nCREATE UNIQUE INDEX users_external_id ON users (external_id);",
    },
    {
      name: "Postgres ADD UNIQUE is add-unique-constraint's finding",
      code: "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
    },
    {
      name: "Postgres ADD PRIMARY KEY is add-constraint-builds-index's finding",
      code: "ALTER TABLE users ADD PRIMARY KEY (id);",
    },
    {
      name: "MySQL unique keys are mysql-add-unique-index's findings",
      dialect: "mysql",
      code: "CREATE UNIQUE INDEX users_email ON users (email);\nALTER TABLE users ADD UNIQUE KEY k (email);",
    },
    {
      name: "CockroachDB: nullable column without default, UNIQUE",
      dialect: "cockroachdb",
      code: "ALTER TABLE users ADD COLUMN external_id STRING UNIQUE;",
    },
    {
      name: "CockroachDB: table created in this file",
      dialect: "cockroachdb",
      code: "CREATE TABLE t (a int);\nCREATE UNIQUE INDEX t_a ON t (a);",
    },
  ],
  invalid: [
    {
      code: "CREATE UNIQUE INDEX CONCURRENTLY users_email ON users (email);",
      errors: [{ line: 1, message: /duplicate values.*INVALID index/ }],
    },
    {
      name: "without CONCURRENTLY, with comments, quoting and IF NOT EXISTS",
      code: 'create /* x */ unique\n  index if not exists "Users_Email" on public."Users" (lower(email));',
      errors: [
        { line: 1, endLine: 2, message: /on public\.Users fails if existing rows hold duplicate/ },
      ],
    },
    {
      name: "partial unique index",
      code: "CREATE UNIQUE INDEX one_active ON subscriptions (user_id) WHERE active;",
      errors: [{ line: 1 }],
    },
    {
      name: "one key column is old",
      code: "ALTER TABLE users ADD COLUMN tenant text;\nCREATE UNIQUE INDEX users_tenant_email ON users (tenant, email);",
      errors: [{ line: 2 }],
    },
    {
      name: "added column with a constant default: every existing row collides",
      code: "ALTER TABLE users ADD COLUMN code text NOT NULL DEFAULT 'x';\nCREATE UNIQUE INDEX users_code ON users (code);",
      errors: [{ line: 2 }],
    },
    {
      name: "inside a DO block",
      code: "DO $$ BEGIN\n  CREATE UNIQUE INDEX users_email ON users (email);\nEND $$;",
      errors: [{ line: 2 }],
    },
    {
      dialect: "sqlite",
      code: "CREATE UNIQUE INDEX IF NOT EXISTS users_email ON users (email);",
      errors: [{ line: 1, message: /duplicate values/ }],
    },
    {
      dialect: "cockroachdb",
      code: "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);\nCREATE UNIQUE INDEX users_name ON users (name);",
      errors: [
        { line: 1, message: /Adding UNIQUE \(email\) to users/ },
        { line: 2, message: /CREATE UNIQUE INDEX/ },
      ],
    },
    {
      dialect: "cockroachdb",
      name: "CockroachDB: NOT NULL column with a default, UNIQUE",
      code: "ALTER TABLE users ADD COLUMN code STRING NOT NULL DEFAULT 'a' UNIQUE;",
      errors: [{ line: 1, message: /UNIQUE column code/ }],
    },
  ],
});

test("Postgres CREATE UNIQUE INDEX: this rule and create-index-not-concurrently report different risks", async () => {
  const fs = await lint({
    base: ["1_init.up.sql", "1_init.down.sql"],
    files: { "2_change.up.sql": "CREATE UNIQUE INDEX users_email ON users (email);" },
  });
  expect(fs.map((f) => f.ruleId).sort()).toEqual(
    expect.arrayContaining(["add-unique-on-existing-data", "create-index-not-concurrently"]),
  );
});
