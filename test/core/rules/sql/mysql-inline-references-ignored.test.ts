import { describe, expect, test } from "@jest/globals";
import { lint } from "../../../helpers/lint.js";
import { ruleTester } from "../../../helpers/rule-tester.js";

const my = { dialect: "mysql" as const };

ruleTester("mysql-inline-references-ignored", {
  valid: [
    {
      ...my,
      name: "a table-level FOREIGN KEY",
      code: "CREATE TABLE pets (id int, owner_id int, CONSTRAINT fk_owner FOREIGN KEY (owner_id) REFERENCES users (id));",
    },
    {
      ...my,
      name: "inline and table-level on the same column: the key exists",
      code: "CREATE TABLE pets (owner_id int REFERENCES users (id), FOREIGN KEY (owner_id) REFERENCES users (id));",
    },
    {
      ...my,
      name: "MySQL 9.0 creates the key",
      databaseVersion: "9.0.0",
      code: "CREATE TABLE pets (owner_id int REFERENCES users (id));",
    },
    {
      ...my,
      name: "MariaDB 10.5 creates the key",
      databaseVersion: "10.5",
      code: "ALTER TABLE pets ADD COLUMN owner_id int REFERENCES users (id);",
    },
    {
      name: "Postgres enforces it",
      code: "CREATE TABLE pets (owner_id int REFERENCES users (id));",
    },
  ],
  invalid: [
    {
      ...my,
      code: "CREATE TABLE pets (\n  id int PRIMARY KEY,\n  owner_id int REFERENCES users (id) ON DELETE CASCADE\n);",
      errors: [
        {
          line: 1,
          endLine: 4,
          severity: "warning",
          message:
            /pets\.owner_id REFERENCES users is written inline.*no foreign key is created.*ON DELETE CASCADE never runs.*databaseVersion is not set/,
        },
      ],
    },
    {
      ...my,
      name: "attacker: backticks, case, comments, a version comment, qualified names",
      code: "create table `shop`.`pets` (`Owner_ID` INT /* fk */ references `shop`.`users` (`id`));\n/*!80000 ALTER TABLE pets ADD COLUMN vet_id int REFERENCES vets (id) */;",
      errors: [
        { line: 1, message: /shop\.pets\.owner_id REFERENCES shop\.users/ },
        { line: 2, message: /pets\.vet_id REFERENCES vets/ },
      ],
    },
    {
      ...my,
      name: "ADD COLUMN next to a table-level key on another column; MODIFY",
      code: "ALTER TABLE pets ADD COLUMN vet_id int REFERENCES vets (id),\n  ADD CONSTRAINT fk_o FOREIGN KEY (owner_id) REFERENCES users (id);\nALTER TABLE pets MODIFY owner_id bigint REFERENCES users (id);",
      errors: [
        { line: 1, message: /vet_id/ },
        { line: 3, message: /owner_id/ },
      ],
    },
    {
      ...my,
      name: "a new table is not exempt: the key is missing for every row it will hold",
      databaseVersion: "8.4.3",
      code: "CREATE TABLE a (id int);\nCREATE TABLE b (a_id int REFERENCES a (id));",
      errors: [{ line: 2, message: /MySQL 8\.4 \(before 9\.0\)/ }],
    },
    {
      ...my,
      name: "MariaDB before 10.5",
      databaseVersion: "10.4",
      code: "CREATE TABLE b (a_id int REFERENCES a (id));",
      errors: [{ line: 1, message: /MariaDB 10\.4 \(before 10\.5\)/ }],
    },
  ],
});

describe("one finding per risk", () => {
  test("ADD COLUMN … REFERENCES on a server that ignores it is not a foreign key build", async () => {
    const fs = await lint({
      dialect: "mysql",
      files: { "2_b.up.sql": "ALTER TABLE orders ADD COLUMN user_id int REFERENCES users (id);" },
    });
    const ids = fs.map((f) => f.ruleId);
    expect(ids).toContain("mysql-inline-references-ignored");
    expect(ids).not.toContain("add-foreign-key-validated");
  });

  test("on MySQL 9.0 the key is built: add-foreign-key-validated reports it", async () => {
    const fs = await lint({
      dialect: "mysql",
      databaseVersion: "9.0.1",
      files: { "2_b.up.sql": "ALTER TABLE orders ADD COLUMN user_id int REFERENCES users (id);" },
    });
    const ids = fs.map((f) => f.ruleId);
    expect(ids).toContain("add-foreign-key-validated");
    expect(ids).not.toContain("mysql-inline-references-ignored");
  });
});
