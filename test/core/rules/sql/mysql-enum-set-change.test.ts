import { ruleTester } from "../../../helpers/rule-tester.js";

const ORDERS =
  "CREATE TABLE orders (\n  id BIGINT PRIMARY KEY,\n" +
  "  status ENUM('new','paid','shipped') NOT NULL DEFAULT 'new',\n" +
  "  flags SET('gift','rush') NULL,\n  note VARCHAR(20)\n);\n";
const merged = { "1_init.up.sql": ORDERS };

ruleTester("mysql-enum-set-change", {
  valid: [
    {
      name: "values appended at the end",
      dialect: "mysql",
      merged,
      code: [
        "ALTER TABLE orders MODIFY status ENUM('new','paid','shipped','refunded') NOT NULL DEFAULT 'new';",
        "ALTER TABLE orders CHANGE flags flags SET('gift','rush','fragile');",
      ].join("\n"),
    },
    {
      name: "without the merged history nothing is claimed (GitHub mode, PATH mode)",
      dialect: "mysql",
      code: "ALTER TABLE orders MODIFY status ENUM('paid','new') NOT NULL;",
    },
    {
      name: "not an ENUM/SET before and after (alter-column-type's subject)",
      dialect: "mysql",
      merged,
      code: "ALTER TABLE orders MODIFY note ENUM('a','b');",
    },
  ],
  invalid: [
    {
      name: "a value removed",
      dialect: "mysql",
      merged,
      code: "ALTER TABLE orders MODIFY status ENUM('new','shipped') NOT NULL DEFAULT 'new';",
      errors: [
        {
          line: 1,
          message:
            /ENUM column status of orders \(decided from the merged history\): the new value list removes 'paid' \(rows holding it become ''/,
        },
      ],
    },
    {
      name: "attacker: a value inserted in the middle, quoting, comments, CHANGE, double quotes",
      dialect: "mysql",
      merged,
      code: 'ALTER TABLE `orders` /* x */ CHANGE COLUMN `status` `status` ENUM("new", "pending", "paid", "shipped") NOT NULL;',
      errors: [{ line: 1, message: /reorders or inserts values before existing ones/ }],
    },
    {
      name: "attacker: reordered only",
      dialect: "mysql",
      merged,
      code: "ALTER TABLE orders MODIFY flags SET('rush','gift');",
      errors: [{ line: 1, message: /SET column flags .* reorders/ }],
    },
    {
      name: "attacker: a value renamed (same count) is a removal",
      dialect: "mysql",
      merged,
      code: "ALTER TABLE orders MODIFY status ENUM('new','paid','sent') NOT NULL;",
      errors: [{ line: 1, message: /removes 'shipped'/ }],
    },
    {
      name: "appended past 8 SET members: the storage size changes, a table copy",
      dialect: "mysql",
      merged,
      code: "ALTER TABLE orders MODIFY flags SET('gift','rush','a','b','c','d','e','f','g');",
      errors: [{ line: 1, message: /storage size \(1 → 2 bytes per row\)/ }],
    },
    {
      name: "attacker: the earlier statement of the file changed the list first",
      dialect: "mysql",
      merged,
      code: [
        "ALTER TABLE orders MODIFY status ENUM('new','paid','shipped','refunded') NOT NULL;",
        "ALTER TABLE orders MODIFY status ENUM('new','paid','shipped') NOT NULL;",
      ].join("\n"),
      errors: [{ line: 2, message: /removes 'refunded'/ }],
    },
  ],
});
