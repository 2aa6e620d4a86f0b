import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("lock-held-across-statements", {
  valid: [
    { code: "ALTER TABLE users ADD COLUMN nickname text;" },
    {
      name: "more DDL on the same table extends nothing",
      code: "ALTER TABLE users ADD COLUMN a text;\nALTER TABLE users ADD COLUMN b text;",
    },
    {
      name: "a backfill of the locked table itself is mixed-ddl-and-dml's finding",
      code: "ALTER TABLE users ADD COLUMN a text;\nUPDATE users SET a = 'x' WHERE a IS NULL;",
    },
    {
      name: "x-multi-statement: each statement commits and releases its lock",
      multiStatement: true,
      code: "ALTER TABLE users ADD COLUMN a text;\nALTER TABLE orders ADD COLUMN b text;\nUPDATE orders SET b = 'x' WHERE id > 0;",
    },
    {
      name: "x-multi-statement: the lock is released by COMMIT before the next block",
      multiStatement: true,
      code: "BEGIN;\nALTER TABLE users ADD COLUMN a text;\nCOMMIT;\nBEGIN;\nCREATE INDEX i ON orders (b);\nCOMMIT;",
    },
    {
      name: "tables created in this file are not in use",
      code: "CREATE TABLE t (id bigint);\nALTER TABLE t ADD COLUMN a text;\nCREATE INDEX i ON t (a);\nINSERT INTO t SELECT id, 'x' FROM t;",
    },
    {
      name: "the slow work is on a table created in the file",
      code: "ALTER TABLE users ADD COLUMN a text;\nCREATE TABLE t (id bigint);\nCREATE INDEX i ON t (id);",
    },
    {
      name: "lock_timeout bounds the wait for the second table's lock",
      code: "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN a text;\nALTER TABLE orders ADD COLUMN b text;",
    },
    {
      name: "a small INSERT … VALUES is not a backfill",
      code: "ALTER TABLE users ADD COLUMN a text;\nINSERT INTO settings (k, v) VALUES ('a', 'b');",
    },
    {
      name: "CREATE INDEX CONCURRENTLY alone in its file holds nothing",
      code: "CREATE INDEX CONCURRENTLY i ON orders (b);",
    },
    {
      name: "DROP INDEX after an ALTER: the index's table is unknown, maybe the held one",
      code: "ALTER TABLE t ALTER c SET NOT NULL;\nDROP INDEX t_c_idx;",
    },
  ],
  invalid: [
    {
      name: "DROP INDEX holds its table's lock: named as the table of the index",
      code: "DROP INDEX users_old_idx;\nCREATE INDEX users_new_idx ON users (a, b);",
      errors: [{ line: 2, message: /the table of index users_old_idx was locked/ }],
    },
    {
      name: "a plain CREATE INDEX keeps its SHARE lock (writes blocked) while the next lock is awaited",
      code: "CREATE INDEX i ON orders (b);\nALTER TABLE users ADD COLUMN a text;",
      errors: [{ line: 2, message: /orders was locked.*waits for a lock on users/ }],
    },
    {
      name: "second table's lock waited for while the first is held",
      code: "ALTER TABLE users ADD COLUMN a text;\nALTER TABLE orders ADD COLUMN b text;",
      errors: [
        {
          line: 2,
          message: /users was locked strongly earlier .*line 1.*waits for a lock on orders/,
        },
      ],
    },
    {
      name: "index build on another table",
      code: "ALTER TABLE users ADD COLUMN a text;\nCREATE INDEX orders_b ON orders (b);",
      errors: [{ line: 2, message: /builds an index on orders/ }],
    },
    {
      name: "index build on the locked table itself blocks its reads too",
      code: "ALTER TABLE users ADD COLUMN a text;\nCREATE INDEX users_a ON users (a);",
      errors: [{ line: 2, message: /builds an index on users/ }],
    },
    {
      name: "backfill of another table, even with lock_timeout set",
      code: "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN a text;\nUPDATE orders SET b = 1 WHERE b IS NULL;",
      errors: [{ line: 3, message: /rewrites rows of orders/ }],
    },
    {
      name: "INSERT … SELECT copying rows",
      code: "ALTER TABLE users DROP COLUMN legacy;\nINSERT INTO archive SELECT * FROM orders;",
      errors: [{ line: 2, message: /copies rows into archive/ }],
    },
    {
      name: "one finding per transaction, at the first slow statement",
      code: "ALTER TABLE users ADD COLUMN a text;\nALTER TABLE orders ADD COLUMN b text;\nCREATE INDEX i ON items (c);",
      errors: [{ line: 2 }],
    },
    {
      name: "x-multi-statement inside BEGIN … COMMIT, comments and quoting",
      multiStatement: true,
      code: 'BEGIN;\nALTER /* x */ TABLE "Users" ADD COLUMN a text;\ncreate   index\n  i on public."Orders" (b);\nCOMMIT;',
      errors: [{ line: 3, endLine: 4, message: /Users was locked.*public\.Orders/ }],
    },
    {
      name: "a COMMIT in the file starts a new implicit transaction",
      code: "ALTER TABLE users ADD COLUMN a text;\nCOMMIT;\nALTER TABLE orders ADD COLUMN b text;\nALTER TABLE items ADD COLUMN c text;",
      errors: [{ line: 4, message: /orders was locked.*line 3/ }],
    },
    {
      name: "the slow part inside a DO block",
      code: "LOCK TABLE users IN ACCESS EXCLUSIVE MODE;\nDO $$ BEGIN UPDATE orders SET b = 1 WHERE b IS NULL; END $$;",
      errors: [{ line: 2, message: /rewrites rows of orders/ }],
    },
  ],
});
