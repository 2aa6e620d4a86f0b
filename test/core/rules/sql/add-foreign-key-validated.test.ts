import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("add-foreign-key-validated", {
  valid: [
    {
      code: "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;",
    },
    { code: "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;" },
    { code: "CREATE TABLE orders (id int, user_id int REFERENCES users (id));" },
    {
      name: "a table created in the same file",
      code: "CREATE TABLE o (id int, u int);\nALTER TABLE o ADD FOREIGN KEY (u) REFERENCES users (id);",
    },
    {
      name: "MySQL with foreign_key_checks off",
      dialect: "mysql",
      code: "SET foreign_key_checks = 0;\nALTER TABLE o ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id);\nSET foreign_key_checks = 1;",
    },
  ],
  invalid: [
    {
      name: "merged schema: a missing index is fk-without-index's finding, not this rule's",
      merged: { "1_init.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);" },
      code: "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);",
      errors: [{ line: 1, message: /writes to either table wait for the whole scan\.$/ }],
    },
    {
      name: "merged schema: a merged index on the referencing column is not a finding of its own",
      merged: {
        "1_init.up.sql":
          "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\nCREATE INDEX orders_user ON orders (user_id, id);",
      },
      code: "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);",
      errors: [{ line: 1, message: /writes to either table wait for the whole scan\.$/ }],
    },
    {
      name: "a partial index, or one where the column is not leading: the message stays the scan's",
      merged: {
        "1_init.up.sql":
          "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\nCREATE INDEX a ON orders (user_id) WHERE id > 0;\nCREATE INDEX b ON orders (id, user_id);",
      },
      code: "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);",
      errors: [{ line: 1, message: /writes to either table wait for the whole scan\.$/ }],
    },
    {
      name: "merged schema: the index created CONCURRENTLY by an earlier migration of the change counts",
      merged: { "1_init.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);" },
      files: {
        "2_idx.up.sql": "CREATE INDEX CONCURRENTLY orders_user ON orders (user_id);",
        "3_fk.up.sql":
          "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);",
      },
      errors: [
        {
          file: "3_fk.up.sql",
          line: 1,
          message: /writes to either table wait for the whole scan\.$/,
        },
      ],
    },
    {
      name: "a merged index dropped later: the message stays the scan's",
      merged: {
        "1_init.up.sql":
          "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\nCREATE INDEX orders_user ON orders (user_id);\nDROP INDEX orders_user;",
      },
      code: "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);",
      errors: [{ line: 1, message: /writes to either table wait for the whole scan\.$/ }],
    },
    {
      code: "ALTER TABLE orders\n  ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);",
      errors: [{ line: 2, message: /referencing users\) without NOT VALID/ }],
    },
    {
      code: "ALTER TABLE orders ADD COLUMN user_id int REFERENCES users (id);",
      errors: [{ line: 1 }],
    },
    {
      code: "ALTER TABLE `orders` ADD CONSTRAINT `fk` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE;",
      dialect: "mysql",
      errors: [{ line: 1, message: /ALGORITHM=COPY/ }],
    },
  ],
});
