import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("fk-without-index", {
  valid: [
    // Indexed in the same file, before or after the key.
    {
      code: "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\nCREATE INDEX orders_user_idx ON orders (user_id);",
    },
    {
      code: "CREATE TABLE items (order_id bigint, pos int, PRIMARY KEY (order_id, pos), FOREIGN KEY (order_id) REFERENCES orders (id));",
    },
    {
      code: "CREATE TABLE m (a bigint, b bigint, FOREIGN KEY (b, a) REFERENCES p (x, y));\nCREATE UNIQUE INDEX m_ab ON m (a, b, id);",
    },
    // A merged table whose history was not read: nothing knows its indexes, so no finding.
    {
      code: "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;",
    },
    {
      name: "merged schema: a merged index leads with the referencing column",
      merged: {
        "1_init.up.sql":
          "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\nCREATE INDEX orders_user ON orders (user_id, id);",
      },
      code: "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;",
    },
    {
      name: "merged schema: the index created CONCURRENTLY by an earlier migration of the change counts",
      merged: { "1_init.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);" },
      files: {
        "2_idx.up.sql": "CREATE INDEX CONCURRENTLY orders_user ON orders (user_id);",
        "3_fk.up.sql":
          "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;",
      },
    },
    // MySQL creates the index itself.
    {
      dialect: "mysql",
      code: "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, FOREIGN KEY (user_id) REFERENCES users (id));",
    },
  ],
  invalid: [
    {
      name: "merged schema: no index on the referencing column of a merged table",
      merged: { "1_init.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);" },
      code: "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;",
      errors: [
        { line: 1, message: /no index on orders \(user_id\) \(decided from the merged history\)/ },
      ],
    },
    {
      name: "attacker: a partial index, or one where the column is not leading, does not count",
      merged: {
        "1_init.up.sql":
          "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\nCREATE INDEX a ON orders (user_id) WHERE id > 0;\nCREATE INDEX b ON orders (id, user_id);",
      },
      code: "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;",
      errors: [{ line: 1, message: /decided from the merged history/ }],
    },
    {
      name: "attacker: the merged index was dropped later",
      merged: {
        "1_init.up.sql":
          "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\nCREATE INDEX orders_user ON orders (user_id);\nDROP INDEX orders_user;",
      },
      code: "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;",
      errors: [{ line: 1, message: /decided from the merged history/ }],
    },
    {
      code: "CREATE TABLE orders (\n  id bigint PRIMARY KEY,\n  user_id bigint REFERENCES users (id)\n);",
      errors: [{ line: 1, endLine: 4, message: /no index on orders \(user_id\).*scans orders/ }],
    },
    {
      name: "an index whose leading column is another one does not cover",
      code: "CREATE TABLE t (a bigint, b bigint, FOREIGN KEY (b) REFERENCES p (id));\nCREATE INDEX t_ab ON t (a, b);",
      errors: [{ line: 1 }],
    },
    {
      name: "a partial index does not cover",
      code: "CREATE TABLE t (a bigint REFERENCES p (id));\nCREATE INDEX t_a ON t (a) WHERE a IS NOT NULL;",
      errors: [{ line: 1 }],
    },
    {
      name: "an expression index does not cover",
      code: "CREATE TABLE t (a bigint REFERENCES p (id));\nCREATE INDEX t_a ON t ((a + 0));",
      errors: [{ line: 1 }],
    },
    {
      name: "attacker: quoted, schema-qualified, comments; the index is on a same-named table elsewhere",
      code: 'CREATE TABLE "app"."Orders" (\n  uid bigint /* owner */ REFERENCES app.users (id)\n);\nCREATE INDEX o_uid ON other."Orders" (uid);',
      errors: [{ line: 1, endLine: 3, message: /app\.Orders/ }],
    },
    {
      name: "ALTER TABLE on a table created earlier in the file",
      code: "CREATE TABLE t (a bigint);\nALTER TABLE t ADD CONSTRAINT t_a_fk FOREIGN KEY (a) REFERENCES p (id);",
      errors: [{ line: 2 }],
    },
  ],
});
