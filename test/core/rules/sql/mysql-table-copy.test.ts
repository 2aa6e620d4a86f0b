import { ruleTester } from "../../../helpers/rule-tester.js";

const my = { dialect: "mysql" as const };
const v8029 = { ...my, databaseVersion: "8.0.29" };

ruleTester("mysql-table-copy", {
  valid: [
    // Instant or in place with concurrent writes and no rebuild.
    { ...v8029, code: "ALTER TABLE orders ADD COLUMN note varchar(100);" },
    { ...v8029, code: "ALTER TABLE orders ADD COLUMN note varchar(100) AFTER id;" },
    { ...v8029, code: "ALTER TABLE orders DROP COLUMN note;" },
    {
      ...v8029,
      code: "ALTER TABLE orders ADD INDEX idx_note (note), ALGORITHM=INPLACE, LOCK=NONE;",
    },
    { ...v8029, code: "ALTER TABLE orders RENAME COLUMN a TO b, ALGORITHM=INSTANT;" },
    { ...v8029, code: "ALTER TABLE orders ALTER COLUMN a SET DEFAULT 0;" },
    { ...my, databaseVersion: "5.7", code: "ALTER TABLE orders DROP INDEX idx_a, LOCK=NONE;" },
    // A column named serial, or the word in a comment, is no SERIAL.
    { ...v8029, code: "ALTER TABLE orders ADD COLUMN serial varchar(20);" },
    {
      ...v8029,
      code: "ALTER TABLE orders ADD COLUMN `SERIAL` int COMMENT 'SERIAL DEFAULT VALUE';",
    },
    // A table created in the change holds no deployed rows.
    { ...my, code: "CREATE TABLE t (id int);\nALTER TABLE t MODIFY id bigint;" },
    {
      ...my,
      files: {
        "2_a.up.sql": "CREATE TABLE t (id int);",
        "3_b.up.sql": "ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4;",
      },
    },
    // Postgres is not judged by MySQL's online DDL table.
    {
      code: "ALTER TABLE orders ALTER COLUMN a TYPE bigint;",
      rules: { "alter-column-type": "off" },
    },
    // Foreign keys are add-foreign-key-validated's.
    { ...v8029, code: "ALTER TABLE o ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES c (id);" },
  ],
  invalid: [
    {
      ...v8029,
      code: "ALTER TABLE orders MODIFY amount decimal(12,2) NOT NULL;",
      errors: [
        {
          line: 1,
          message:
            /MODIFY\/CHANGE COLUMN \(data type\) on orders runs as a table copy \(ALGORITHM=COPY\) on MySQL 8\.0\.29: .*blocks writes/,
        },
      ],
    },
    {
      ...v8029,
      code: "ALTER TABLE orders CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci;",
      errors: [{ line: 1, message: /CONVERT TO CHARACTER SET.*table copy/ }],
    },
    {
      ...v8029,
      code: "ALTER TABLE orders DROP PRIMARY KEY;",
      errors: [{ line: 1, message: /DROP PRIMARY KEY \(without adding one\)/ }],
    },
    {
      name: "DROP and ADD PRIMARY KEY together rebuild in place (notice)",
      ...v8029,
      code: "ALTER TABLE orders DROP PRIMARY KEY, ADD PRIMARY KEY (id, region);",
      errors: [{ line: 1, severity: "notice", message: /rebuilds the table in place/ }],
    },
    {
      ...v8029,
      code: "ALTER TABLE orders ADD PRIMARY KEY (id);",
      errors: [{ line: 1, severity: "notice", message: /NOT NULL/ }],
    },
    {
      name: "no databaseVersion: judged for MySQL 5.6 and says so",
      ...my,
      code: "ALTER TABLE orders ADD COLUMN note text;",
      errors: [
        {
          line: 1,
          severity: "notice",
          message:
            /MySQL 5\.6 \(databaseVersion is not set.*MySQL 8\.0\.12 and later run it with ALGORITHM=INSTANT/,
        },
      ],
    },
    {
      name: "FIRST/AFTER before 8.0.29 rebuilds",
      ...my,
      databaseVersion: "8.0.28",
      code: "ALTER TABLE orders ADD COLUMN note text FIRST;",
      errors: [{ line: 1, severity: "notice", message: /8\.0\.29 and later/ }],
    },
    {
      ...my,
      databaseVersion: "8.0",
      code: "ALTER TABLE orders ADD COLUMN seq int AUTO_INCREMENT UNIQUE;",
      errors: [{ line: 1, message: /AUTO_INCREMENT on orders runs as a table copy/ }],
    },
    // SERIAL is BIGINT UNSIGNED NOT NULL AUTO_INCREMENT UNIQUE, `SERIAL DEFAULT VALUE` the
    // attributes alone: an AUTO_INCREMENT column however it is spelled, never a plain add.
    ...[
      "ALTER TABLE orders ADD COLUMN seq SERIAL;",
      "ALTER TABLE orders ADD seq serial;",
      "alter table orders add column `seq`   Serial ;",
      "ALTER TABLE `orders` ADD COLUMN `seq` /* numbered */ SERIAL COMMENT 'x';",
      "ALTER TABLE orders ADD COLUMN seq int unsigned SERIAL DEFAULT VALUE;",
      "ALTER TABLE orders ADD COLUMN seq BIGINT NOT NULL serial  default  value COMMENT 'n';",
      "ALTER TABLE orders ADD COLUMN note text, ADD COLUMN seq SERIAL;",
    ].map((code) => ({
      ...v8029,
      code,
      errors: [{ line: 1, message: /AUTO_INCREMENT on orders runs as a table copy/ }],
    })),
    {
      ...v8029,
      code: "ALTER TABLE orders ADD COLUMN seq\n\tSERIAL -- numbered\n;",
      errors: [{ line: 1, endLine: 2, message: /AUTO_INCREMENT on orders runs as a table copy/ }],
    },
    {
      ...v8029,
      code: "ALTER TABLE orders ADD COLUMN seq SERIAL PRIMARY KEY;",
      errors: [
        { line: 1, message: /AUTO_INCREMENT on orders runs as a table copy/ },
        { line: 1, severity: "notice", message: /PRIMARY KEY/ },
      ],
    },
    {
      name: "SERIAL on MariaDB",
      ...my,
      databaseVersion: "10.6",
      code: "ALTER TABLE orders ADD COLUMN seq SERIAL;",
      errors: [{ line: 1, message: /AUTO_INCREMENT on orders runs as a table copy/ }],
    },
    {
      ...v8029,
      code: "ALTER TABLE orders ADD FULLTEXT INDEX ft (body);",
      errors: [{ line: 1, message: /does not allow concurrent writes/ }],
    },
    {
      ...v8029,
      code: "ALTER TABLE orders ENGINE=MyISAM;",
      errors: [{ line: 1, message: /ENGINE change/ }],
    },
    {
      ...v8029,
      code: "ALTER TABLE orders FORCE;",
      errors: [{ line: 1, severity: "notice" }],
    },
    {
      name: "MariaDB (10.x) versions use MariaDB's table",
      ...my,
      databaseVersion: "10.2",
      code: "ALTER TABLE orders DROP COLUMN note;",
      errors: [{ line: 1, severity: "notice", message: /MariaDB 10\.2.*MariaDB 10\.4 and later/ }],
    },
    // Explicit clauses the server rejects: the migration fails.
    {
      ...v8029,
      code: "ALTER TABLE orders MODIFY amount bigint, ALGORITHM=INSTANT;",
      errors: [{ line: 1, message: /if this changes the column's type/ }],
    },
    {
      ...v8029,
      code: "ALTER TABLE orders ADD COLUMN n int AUTO_INCREMENT UNIQUE, ALGORITHM=INSTANT;",
      errors: [
        {
          line: 1,
          severity: "error",
          message: /cannot run with ALGORITHM=INSTANT.*migration fails/,
        },
      ],
    },
    {
      name: "MODIFY with an online clause: not a certain rejection (a VARCHAR extension runs in place), but a possible failure",
      ...v8029,
      code: "ALTER TABLE orders MODIFY note varchar(200), ALGORITHM=INPLACE, LOCK=NONE;",
      errors: [{ line: 1, message: /if this changes the column's type.*refuses the statement/ }],
    },
    {
      ...v8029,
      code: "ALTER TABLE orders CONVERT TO CHARACTER SET utf8mb4, LOCK=NONE;",
      errors: [{ line: 1, severity: "error", message: /LOCK=NONE/ }],
    },
    {
      ...my,
      databaseVersion: "5.7",
      code: "ALTER TABLE orders ADD COLUMN c int, ALGORITHM=INSTANT;",
      errors: [{ line: 1, severity: "error", message: /MySQL 5\.7 has no ALGORITHM=INSTANT/ }],
    },
    {
      ...my,
      databaseVersion: "8.0.20",
      code: "ALTER TABLE orders DROP COLUMN c, ALGORITHM=INSTANT;",
      errors: [{ line: 1, severity: "error" }],
    },
    {
      ...v8029,
      code: "ALTER TABLE orders ADD COLUMN c int, ALGORITHM=COPY;",
      errors: [{ line: 1, message: /ALGORITHM=COPY forces/ }],
    },
    {
      ...v8029,
      code: "ALTER TABLE orders ADD INDEX i (c), LOCK=EXCLUSIVE;",
      errors: [{ line: 1, message: /LOCK=EXCLUSIVE on orders blocks reads and writes/ }],
    },
    // Attacker: quoting, schema-qualified names, comments, case and several statements.
    {
      name: "attacker: quoted, qualified, commented, lower case, second statement",
      ...v8029,
      code: "CREATE TABLE x (id int);\nalter /* harmless */ table `shop`.`Orders`\n  -- just a tweak\n  modify `amount` bigint;",
      errors: [{ line: 4, message: /on shop\.orders/i }],
    },
    {
      name: "attacker: the COPY action hidden after an instant one",
      ...v8029,
      code: "ALTER TABLE orders ADD COLUMN a int,\n  CONVERT TO CHARACTER SET utf8mb4;",
      errors: [{ line: 2, message: /CONVERT TO CHARACTER SET/ }],
    },
    {
      name: "attacker: a table created after the ALTER does not exempt it",
      ...v8029,
      code: "ALTER TABLE t MODIFY id bigint;\nDROP TABLE t;\nCREATE TABLE t (id bigint);",
      rules: { "drop-table": "off" },
      errors: [{ line: 1 }],
    },
  ],
});
