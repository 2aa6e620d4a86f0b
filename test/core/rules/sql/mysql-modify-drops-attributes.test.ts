import { ruleTester } from "../../../helpers/rule-tester.js";

const TS =
  "CREATE TABLE t (\n  id INT PRIMARY KEY AUTO_INCREMENT,\n  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,\n  name VARCHAR(50) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT '' COMMENT 'display name'\n);";

ruleTester("mysql-modify-drops-attributes", {
  valid: [
    {
      name: "every attribute restated",
      dialect: "mysql",
      merged: { "1_init.up.sql": TS },
      code: "ALTER TABLE t MODIFY updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3);",
    },
    {
      name: "without the merged history nothing is claimed (GitHub mode, PATH mode)",
      dialect: "mysql",
      code: "ALTER TABLE t MODIFY updated_at TIMESTAMP(3) NOT NULL;",
    },
    {
      name: "ALTER COLUMN … SET DEFAULT changes one attribute only",
      dialect: "mysql",
      merged: { "1_init.up.sql": TS },
      code: "ALTER TABLE t ALTER COLUMN name SET DEFAULT 'x';",
    },
    {
      name: "a column of a table created in the change",
      dialect: "mysql",
      merged: { "1_init.up.sql": TS },
      code: "CREATE TABLE u (id INT PRIMARY KEY, c INT NOT NULL DEFAULT 0);\nALTER TABLE u MODIFY c BIGINT NOT NULL DEFAULT 0;",
    },
  ],
  invalid: [
    {
      name: "issue 14: MODIFY to change timestamp precision drops ON UPDATE CURRENT_TIMESTAMP",
      dialect: "mysql",
      merged: { "1_init.up.sql": TS },
      code: "ALTER TABLE t\n  MODIFY updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3);",
      errors: [
        { line: 2, message: /decided from the merged history\).*ON UPDATE CURRENT_TIMESTAMP/ },
      ],
    },
    {
      name: "CHANGE names every attribute lost",
      dialect: "mysql",
      merged: { "1_init.up.sql": TS },
      code: "ALTER TABLE t CHANGE name display_name VARCHAR(80);",
      errors: [
        {
          line: 1,
          message:
            /drops 5 attributes.*DEFAULT ''.*COMMENT 'display name'.*CHARACTER SET utf8mb4.*COLLATE utf8mb4_bin.*NOT NULL/,
        },
      ],
    },
    {
      name: "AUTO_INCREMENT lost on the key",
      dialect: "mysql",
      merged: { "1_init.up.sql": TS },
      code: "ALTER TABLE t MODIFY id BIGINT NOT NULL;",
      errors: [{ line: 1, message: /AUTO_INCREMENT/ }],
    },
    {
      name: "attacker: backquoted, differently cased names and a comment between the keywords",
      dialect: "mysql",
      merged: { "1_init.up.sql": TS },
      code: "ALTER TABLE `T` /* precision */ MODIFY COLUMN `Updated_At` TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3);",
      errors: [{ line: 1, message: /ON UPDATE/ }],
    },
    {
      name: "attacker: the attribute added by a later merged migration is followed",
      dialect: "mysql",
      merged: {
        "1_init.up.sql":
          "CREATE TABLE t (id INT PRIMARY KEY, c INT);\nALTER TABLE t MODIFY c INT NOT NULL DEFAULT 7 COMMENT 'seven';",
      },
      code: "ALTER TABLE t ADD COLUMN d INT;\nALTER TABLE t MODIFY c BIGINT NOT NULL;",
      errors: [{ line: 2, message: /DEFAULT 7.*COMMENT 'seven'/ }],
    },
    {
      name: "attacker: a table renamed by a merged migration, schema-qualified in the change",
      dialect: "mysql",
      merged: {
        "1_init.up.sql":
          "CREATE TABLE app.old_t (id INT PRIMARY KEY, c INT NOT NULL DEFAULT 1);\nRENAME TABLE app.old_t TO app.t;",
      },
      code: "ALTER TABLE app.t MODIFY c BIGINT NOT NULL;",
      errors: [{ line: 1, message: /DEFAULT 1/ }],
    },
  ],
});
