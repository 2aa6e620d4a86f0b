import {
  classifyName,
  looksLikeMigration,
  parseMigrationName,
} from "../../../src/core/migrations/filename.js";

// golang-migrate facts: shared/reference/golang-migrate.md §1 (source/parse.go, iofs.go).
describe("parseMigrationName (exactly golang-migrate's regex + ParseUint)", () => {
  test.each([
    ["1_x.up.sql", 1n, "x", "up", "sql"],
    ["001_x.up.sql", 1n, "x", "up", "sql"],
    ["000042_add_orders.down.sql", 42n, "add_orders", "down", "sql"],
    ["1_.up.sql", 1n, "", "up", "sql"],
    ["1_a b.c.up.sql", 1n, "a b.c", "up", "sql"],
    // The title is greedy: the last ".up."/".down." wins.
    ["1_a.up.b.down.sql", 1n, "a.up.b", "down", "sql"],
    ["1_x.up.sql.bak", 1n, "x", "up", "sql.bak"],
    ["1_x.up.sql~", 1n, "x", "up", "sql~"],
    ["1_x.up.txt", 1n, "x", "up", "txt"],
    ["1_x.up.", 1n, "x", "up", ""],
    ["30_ignore_autotag.up..sql", 30n, "ignore_autotag", "up", ".sql"],
    ["20060102150405_ts.up.sql", 20060102150405n, "ts", "up", "sql"],
    ["18446744073709551615_max.up.sql", 18446744073709551615n, "max", "up", "sql"],
  ])("%s → version %s, title %j, %s, ext %j", (name, version, title, direction, extension) => {
    expect(parseMigrationName(name)).toEqual({
      version,
      versionText: name.slice(0, name.indexOf("_")),
      title,
      direction,
      extension,
    });
  });

  test.each([
    "1.up.sql",
    "1-foo.up.sql",
    "0160.up.sql",
    "V1_x.up.sql",
    "V0001.Initial Schema.up.sql",
    "0003_x_up.sql",
    "5_y.UP.sql",
    "1_x.sql",
    "-1_x.up.sql",
    "１_x.up.sql",
    "18446744073709551616_overflow.up.sql",
    "20150100000001000000_kratos.up.sql",
    "1_x.up",
  ])("%s is skipped by golang-migrate", (name) => {
    expect(parseMigrationName(name)).toBeNull();
  });
});

describe("classifyName", () => {
  test.each([
    ["1_x.up.sql"],
    ["001_x.down.sql"],
    ["30_ignore_autotag.up..sql"],
    ["9223372036854775807_int64_max.up.sql"],
    ["1_x.up.SQL"],
  ])("%s is a plain migration", (name) => {
    expect(classifyName(name).kind).toBe("migration");
  });

  test.each([
    ["1_x.up.sql.bak", /extension "sql\.bak"/, "1_x.up.sql"],
    ["1_x.up.sql~", /extension "sql~"/, "1_x.up.sql"],
    ["0007_x.up.sql.orig", /loaded as version 7/, "0007_x.up.sql"],
    ["1_x.up.txt", /does not check extensions/, "1_x.up.sql"],
    ["9223372036854775808_too_big.up.sql", /does not fit a signed 64-bit integer/, "19 digits"],
    ["18446744073709551615_too_big.up.sql", /bigint/, "19 digits"],
    ["1_a.up.b.down.sql", /this is a down migration/, "1_a_b.down.sql"],
  ])("%s is loaded but suspicious", (name, problem, fix) => {
    const v = classifyName(name);
    expect(v.kind).toBe("suspicious");
    if (v.kind !== "suspicious") return;
    expect(v.problem).toMatch(problem);
    expect(v.fix).toContain(fix);
  });

  test.each([
    ["0003_x_up.sql", /must be written "\.up\.", not "_up\."/, "0003_x.up.sql"],
    [
      "0021_alter_table_webhook_add_internal_up.sql",
      /"_up\."/,
      "0021_alter_table_webhook_add_internal.up.sql",
    ],
    ["7_x-down.sql", /not "-down\."/, "7_x.down.sql"],
    ["4.up.sql", /followed directly by "_"/, "4_name.up.sql"],
    ["0160.up.sql", /followed directly by "_"/, "0160_name.up.sql"],
    ["1-foo.up.sql", /followed directly by "_"/, "1_foo.up.sql"],
    ["5_y.UP.sql", /lowercase/, "5_y.up.sql"],
    ["5_y.Down.sql", /lowercase/, "5_y.down.sql"],
    [
      "V0001.Initial Schema.up.sql",
      /must start with the numeric version/,
      "000042_add_orders.up.sql",
    ],
    ["create_users_down.sql", /must start with the numeric version/, "<version>_<title>"],
    ["1_x.sql", /no "\.up\." or "\.down\."/, "1_x.up.sql"],
    ["20150100000001000000_kratos.up.sql", /20 digits and overflows/, "19 digits"],
  ])("%s is silently ignored by golang-migrate", (name, problem, fix) => {
    const v = classifyName(name);
    expect(v.kind).toBe("ignored");
    if (v.kind !== "ignored") return;
    expect(v.problem).toMatch(/golang-migrate silently ignores this file/);
    expect(v.problem).toMatch(problem);
    expect(v.fix).toContain(fix);
  });

  test.each([
    "README.md",
    ".gitkeep",
    ".hidden_up.sql",
    "notes.txt",
    "setup.sh",
    "markup.md",
    "seed_update.txt",
    "Makefile",
    "embed.go",
  ])("%s is unrelated and left alone", (name) => {
    expect(classifyName(name)).toEqual({ kind: "unrelated" });
    expect(looksLikeMigration(name)).toBe(false);
  });
});
