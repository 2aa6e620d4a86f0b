import { ruleTester } from "../../../helpers/rule-tester.js";

const ADD_AND_BACKFILL =
  "ALTER TABLE users ADD COLUMN plan text;\nUPDATE users SET plan = 'free' WHERE plan IS NULL;";

ruleTester("mixed-ddl-and-dml", {
  valid: [
    {
      name: "backfill in its own migration",
      files: {
        "2_a.up.sql": "ALTER TABLE users ADD COLUMN plan text;",
        "3_b.up.sql": "UPDATE users SET plan = 'free' WHERE plan IS NULL;",
      },
    },
    {
      name: "a table created in this file holds no deployed rows",
      code: "CREATE TABLE t (id bigint);\nALTER TABLE t ADD COLUMN a text;\nUPDATE t SET a = 'x';",
    },
    {
      name: "DDL of one table, DML of another (lock-held-across-statements' finding)",
      code: "ALTER TABLE users ADD COLUMN plan text;\nUPDATE orders SET b = 1 WHERE b IS NULL;",
    },
    {
      name: "x-multi-statement: each statement commits on its own",
      multiStatement: true,
      code: ADD_AND_BACKFILL,
    },
    {
      name: "x-multi-statement: DDL and DML in different BEGIN … COMMIT blocks",
      multiStatement: true,
      code: "BEGIN;\nALTER TABLE users ADD COLUMN plan text;\nCOMMIT;\nBEGIN;\nUPDATE users SET plan = 'free';\nCOMMIT;",
    },
    {
      name: "seed rows with INSERT … VALUES are not a backfill",
      code: "ALTER TABLE settings ADD COLUMN scope text;\nINSERT INTO settings (k, v) VALUES ('a', 'b');",
    },
    {
      name: "SQLite rebuild: rows copied into the new table, the old one dropped",
      dialect: "sqlite",
      code: "CREATE TABLE users_new (id integer, plan text);\nINSERT INTO users_new (id) SELECT id FROM users;\nDROP TABLE users;\nALTER TABLE users_new RENAME TO users;",
    },
    {
      name: "CREATE INDEX CONCURRENTLY alone in its file",
      code: "CREATE INDEX CONCURRENTLY i ON users (plan);",
    },
  ],
  invalid: [
    {
      code: ADD_AND_BACKFILL,
      errors: [
        {
          line: 2,
          message: /same transaction as a schema change of it \(line 1\).*lock stays held/,
        },
      ],
    },
    {
      name: "backfill before the DDL (SET NOT NULL after filling)",
      code: "UPDATE users SET plan = 'free' WHERE plan IS NULL;\nALTER TABLE users ALTER COLUMN plan SET NOT NULL;",
      errors: [{ line: 1, message: /row locks are held while the DDL waits/ }],
    },
    {
      name: "one finding per table, at the first backfill",
      code: "ALTER TABLE users ADD COLUMN plan text;\nUPDATE users SET plan = 'free' WHERE id < 100;\nUPDATE users SET plan = 'pro' WHERE id >= 100;\nDELETE FROM users WHERE plan IS NULL;",
      errors: [{ line: 2 }],
    },
    {
      name: "INSERT … SELECT into the altered table",
      code: "ALTER TABLE archive ADD COLUMN note text;\nINSERT INTO archive SELECT *, NULL FROM orders;",
      errors: [{ line: 2 }],
    },
    {
      name: "backfill inside a DO block, quoting, comments and case",
      code: 'alter /* c */ table "Users" add column plan text;\nDO $$ BEGIN\n  update "Users" set plan = \'free\';\nEND $$;',
      errors: [{ line: 3, message: /Users/ }],
    },
    {
      name: "x-multi-statement with both inside one BEGIN … COMMIT",
      multiStatement: true,
      code: `BEGIN;\n${ADD_AND_BACKFILL}\nCOMMIT;`,
      errors: [{ line: 3 }],
    },
    {
      name: "schema-qualified on one side only",
      code: "ALTER TABLE public.users ADD COLUMN plan text;\nUPDATE users SET plan = 'free';",
      errors: [{ line: 2 }],
    },
    {
      dialect: "mysql",
      code: "ALTER TABLE users ADD COLUMN plan varchar(20);\nUPDATE users SET plan = 'free' WHERE plan IS NULL;",
      errors: [{ line: 2, message: /MySQL commits the DDL on its own/ }],
    },
    {
      dialect: "mysql",
      name: "MySQL: each statement commits, still one file",
      multiStatement: true,
      code: "UPDATE `users` SET plan = 'free';\nALTER TABLE `USERS` MODIFY plan varchar(20) NOT NULL;",
      errors: [{ line: 1 }],
    },
    { dialect: "sqlite", code: ADD_AND_BACKFILL, errors: [{ line: 2, message: /write lock/ }] },
    { dialect: "cockroachdb", code: ADD_AND_BACKFILL, errors: [{ line: 2 }] },
  ],
});
