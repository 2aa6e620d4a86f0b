import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("string-syntax-change", {
  valid: [
    { code: "SET standard_conforming_strings = on;" },
    { code: "SET standard_conforming_strings TO DEFAULT;\nRESET backslash_quote;" },
    { code: "SET client_encoding = 'UTF8';\nSET NAMES 'LATIN1';" },
    { code: "SET backslash_quote = safe_encoding;" },
    { code: "SELECT set_config('search_path', '', false);" },
    { code: "SELECT E'C:\\\\temp\\\\', 'it''s', $$a\\b$$;" },
    { code: "SELECT '\\d+' ~ 'x';", name: "a backslash that does not end a string reads the same" },
    { code: "SET sql_mode = 'STRICT_TRANS_TABLES,NO_ZERO_DATE';", dialect: "mysql" },
    { code: "SET NAMES utf8mb4;", dialect: "mysql" },
    { code: "SELECT 'a\\\\b', \"x\";", dialect: "mysql" },
  ],
  invalid: [
    {
      code: "SET standard_conforming_strings = off;",
      errors: [{ line: 1, message: /turns standard_conforming_strings off.*rest of this session/ }],
    },
    { code: "SET SESSION standard_conforming_strings TO 'of';", errors: [{ line: 1 }] },
    {
      code: "SET LOCAL standard_conforming_strings = false;",
      errors: [{ line: 1, message: /until the transaction ends/ }],
    },
    {
      code: "SELECT pg_catalog.set_config('standard_conforming_strings', 'off', false);",
      errors: [{ line: 1 }],
    },
    {
      code: "ALTER DATABASE app SET standard_conforming_strings = off;",
      errors: [{ line: 1, message: /every new session/ }],
    },
    {
      code: "ALTER ROLE migrator IN DATABASE app SET standard_conforming_strings = 0;",
      errors: [{ line: 1 }],
    },
    {
      code: "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET standard_conforming_strings = off AS 'SELECT 1';",
      errors: [{ line: 1, message: /while the function runs/ }],
    },
    { code: "SET backslash_quote = on;", errors: [{ line: 1 }] },
    { code: "SET client_encoding = 'SJIS';", errors: [{ line: 1, message: /SJIS/ }] },
    { code: "SET NAMES 'GBK';", errors: [{ line: 1 }] },
    {
      name: "set_config with a computed name",
      code: "SELECT set_config(name, 'off', false) FROM settings;",
      errors: [{ line: 1, severity: "warning" }],
    },
    {
      name: "inside a DO block",
      code: "DO $$\nBEGIN\n  SET standard_conforming_strings = off;\nEND $$;",
      errors: [{ line: 3 }],
    },
    {
      name: "a file that reads as other statements when a merged migration turned the setting off",
      code: "SELECT '\\'';\nDELETE FROM users; -- ';",
      errors: [{ line: 1, severity: "warning", message: /standard_conforming_strings is off/ }],
    },
    {
      name: "x-multi-statement: a SET changes how the next pieces are read (the DELETE is real)",
      multiStatement: true,
      code: "SET standard_conforming_strings = off;\nSELECT 'a\\';",
      parseError: true,
      errors: [{ line: 1 }],
    },
    {
      dialect: "mysql",
      code: "SET SESSION sql_mode = 'ANSI';",
      errors: [{ line: 1, message: /ANSI_QUOTES/ }],
    },
    {
      dialect: "mysql",
      code: "SET @@session.sql_mode = 'NO_BACKSLASH_ESCAPES,STRICT_ALL_TABLES';",
      errors: [{ line: 1, message: /NO_BACKSLASH_ESCAPES/ }],
    },
    {
      dialect: "mysql",
      code: "SET sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES');",
      errors: [{ line: 1, severity: "warning" }],
    },
    { dialect: "mysql", code: "SET NAMES gbk;", errors: [{ line: 1 }] },
    { dialect: "mysql", code: "SET CHARACTER SET big5;", errors: [{ line: 1 }] },
    {
      name: "MySQL: a file whose reading depends on NO_BACKSLASH_ESCAPES",
      dialect: "mysql",
      code: "SELECT 'a\\';\nDELETE FROM users; -- ';",
      errors: [{ line: 1, severity: "warning", message: /NO_BACKSLASH_ESCAPES/ }],
    },
    {
      dialect: "cockroachdb",
      code: "SET standard_conforming_strings = off;",
      errors: [{ line: 1 }],
    },
  ],
});
