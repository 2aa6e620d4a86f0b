import { ruleTester } from "../../../helpers/rule-tester.js";

const fn = (body: string) =>
  `CREATE FUNCTION drop_it(t text) RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n  ${body}\nEND $$;`;

ruleTester("dynamic-sql-injection", {
  valid: [
    { name: "constant text", code: "DO $$ BEGIN EXECUTE 'ANALYZE orders'; END $$;" },
    { name: "format %I", code: fn("EXECUTE format('DROP TABLE %I', t);") },
    {
      name: "format %L and %1$I",
      code: fn("EXECUTE format('DELETE FROM %1$I WHERE k = %2$L', t, t);"),
    },
    { name: "quote_ident", code: fn("EXECUTE 'DROP TABLE ' || quote_ident(t);") },
    {
      name: "quote_literal / quote_nullable",
      code: fn("EXECUTE 'SELECT ' || quote_literal(t) || ', ' || quote_nullable(t);"),
    },
    {
      name: "values passed with USING",
      code: fn("EXECUTE 'DELETE FROM ' || quote_ident(t) || ' WHERE id = $1' USING t;"),
    },
    {
      name: "regclass cast prints a quoted name",
      code: fn("EXECUTE 'VACUUM ' || t::regclass::text;"),
    },
    { name: "format %s of a constant", code: fn("EXECUTE format('SELECT %s', 'x');") },
    {
      name: "format %% is not a specifier",
      code: fn("EXECUTE format('SELECT ''%%s'' FROM %I', t);"),
    },
  ],
  invalid: [
    {
      name: "concatenated parameter in a function body",
      code: fn("EXECUTE 'DROP TABLE ' || t;"),
      errors: [{ line: 3, message: /body of drop_it\(\) pastes t into the SQL text unquoted/ }],
    },
    {
      name: "format %s of a parameter",
      code: fn("EXECUTE format('DROP TABLE %s', t);"),
      errors: [{ line: 3, message: /pastes t/ }],
    },
    {
      name: "format %2$s positional",
      code: fn("EXECUTE format('ALTER TABLE %1$I RENAME TO %2$s', t, t || '_old');"),
      errors: [{ line: 3 }],
    },
    {
      name: "DO block, loop over the catalog, upper case and comments",
      code: "DO $$\nDECLARE r record;\nBEGIN\n  FOR r IN SELECT tablename FROM pg_tables LOOP\n    EXECUTE /* x */ 'GRANT SELECT ON ' || r.tablename || ' TO app';\n  END LOOP;\nEND $$;",
      errors: [{ line: 5, message: /this statement pastes r\.tablename/ }],
    },
    {
      name: "a text cast does not quote",
      code: fn("EXECUTE 'DROP TABLE ' || t::text;"),
      errors: [{ line: 3 }],
    },
    {
      name: "concat() of a parameter",
      code: fn("EXECUTE concat('DROP TABLE ', $1);"),
      errors: [{ line: 3, message: /pastes \$1/ }],
    },
    {
      name: "quote_ident around one part only",
      code: fn("EXECUTE 'ALTER TABLE ' || quote_ident(t) || ' DROP COLUMN ' || t;"),
      errors: [{ line: 3 }],
    },
    {
      name: "procedure, conditional EXECUTE",
      code: "CREATE PROCEDURE p(t text) LANGUAGE plpgsql AS $$\nBEGIN\n  IF t <> '' THEN\n    EXECUTE 'TRUNCATE ' || t;\n  END IF;\nEND $$;",
      errors: [{ line: 4, message: /body of p\(\)/ }],
    },
  ],
});
