import { ruleTester } from "../../../helpers/rule-tester.js";

/** The rebuild of `users` (create new, copy, drop old, rename) from SQLite's 12-step procedure. */
const rebuild = [
  'CREATE TABLE "users_new" (id INTEGER PRIMARY KEY, email TEXT NOT NULL);',
  'INSERT INTO "users_new" (id, email) SELECT id, email FROM "users";',
  'DROP TABLE "users";',
  'ALTER TABLE "users_new" RENAME TO "users";',
].join("\n");

/** orders, rebuilt first (its rows copied), points at users with ON DELETE CASCADE. */
const ordersRebuild = [
  "CREATE TABLE orders_new (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id) ON DELETE CASCADE);",
  "INSERT INTO orders_new SELECT id, user_id FROM orders;",
  "DROP TABLE orders;",
  "ALTER TABLE orders_new RENAME TO orders;",
].join("\n");

ruleTester("sqlite-foreign-keys-pragma-in-transaction", {
  valid: [
    {
      name: "x-no-tx-wrap form: foreign keys off before BEGIN, on after COMMIT",
      dialect: "sqlite",
      code: `PRAGMA foreign_keys=OFF;\nBEGIN;\n${rebuild}\nPRAGMA foreign_key_check;\nCOMMIT;\nPRAGMA foreign_keys=ON;`,
    },
    {
      name: "a rebuild with no foreign key known to point at the table",
      dialect: "sqlite",
      code: rebuild,
    },
    {
      name: "NO ACTION references with defer_foreign_keys: checked at commit, after the rename",
      dialect: "sqlite",
      code: `PRAGMA defer_foreign_keys = ON;\n${ordersRebuild.replace(" ON DELETE CASCADE", "")}\n${rebuild}`,
    },
    {
      name: "a referencing table created empty in the same file loses nothing",
      dialect: "sqlite",
      code: `CREATE TABLE notes (id INTEGER, user_id INTEGER REFERENCES users ON DELETE CASCADE);\n${rebuild}`,
    },
    { name: "turning foreign keys on", dialect: "sqlite", code: "PRAGMA foreign_keys = ON;" },
    {
      name: "another pragma",
      dialect: "sqlite",
      code: "PRAGMA foreign_key_check;\nPRAGMA journal_mode = WAL;",
    },
  ],
  invalid: [
    {
      name: "the classic rebuild with PRAGMA foreign_keys=OFF in the wrapped file",
      dialect: "sqlite",
      code: `PRAGMA foreign_keys=OFF;\n${rebuild}\nPRAGMA foreign_keys=ON;`,
      errors: [
        {
          line: 1,
          message:
            /does nothing here.*golang-migrate runs every SQLite migration file in one transaction.*DROP TABLE users on line 4/s,
        },
      ],
    },
    {
      name: "attacker: schema-qualified, quoted value, odd case and comments",
      dialect: "sqlite",
      code: `pragma /* x */ Main . "Foreign_Keys" = 'No' ;\n${rebuild}`,
      errors: [{ line: 1 }],
    },
    {
      name: "attacker: the function-call form with 0",
      dialect: "sqlite",
      code: `PRAGMA foreign_keys(0);\n${rebuild}`,
      errors: [{ line: 1 }],
    },
    {
      name: "inside the file's own BEGIN … COMMIT",
      dialect: "sqlite",
      code: `BEGIN;\nPRAGMA foreign_keys=false;\n${rebuild}\nCOMMIT;`,
      errors: [{ line: 2, message: /between BEGIN and COMMIT/ }],
    },
    {
      name: "no pragma, a copied table pointing at the rebuilt one with ON DELETE CASCADE",
      dialect: "sqlite",
      code: `${ordersRebuild}\n${rebuild}`,
      errors: [{ line: 7, message: /orders_new \(line 1, ON DELETE CASCADE\)/ }],
    },
    {
      name: "defer_foreign_keys does not stop a CASCADE",
      dialect: "sqlite",
      code: `PRAGMA defer_foreign_keys=1;\n${ordersRebuild}\n${rebuild}`,
      errors: [{ line: 8 }],
    },
    {
      name: "an existing table gains a reference (ADD COLUMN) then the target is rebuilt",
      dialect: "sqlite",
      code: `ALTER TABLE payments ADD COLUMN user_id INTEGER REFERENCES "Users" ON DELETE SET NULL;\n${rebuild}`,
      errors: [{ line: 4, message: /payments \(line 1, ON DELETE SET NULL\)/ }],
    },
    {
      name: "rename-first rebuild: the references follow the rename, then dangle",
      dialect: "sqlite",
      code: [
        "ALTER TABLE payments ADD COLUMN user_id INTEGER REFERENCES users (id);",
        "ALTER TABLE users RENAME TO users_old;",
        "CREATE TABLE users (id INTEGER PRIMARY KEY);",
        "INSERT INTO users SELECT id FROM users_old;",
        "DROP TABLE users_old;",
      ].join("\n"),
      errors: [{ line: 2, message: /no longer exists/ }],
    },
  ],
});
