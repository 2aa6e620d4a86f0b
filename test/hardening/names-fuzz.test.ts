/** Name parsing and the structural analysis never throw, whatever names and changes arrive. */
import fc from "fast-check";
import { parseConfig } from "../../src/config/load.js";
import { analyze } from "../../src/core/analyze.js";
import {
  classifyName,
  MIGRATION_NAME_REGEX,
  parseMigrationName,
} from "../../src/core/migrations/filename.js";
import type { ChangeSet, ChangedFile, TreeEntry } from "../../src/core/types.js";

const nameChars = fc.constantFrom(..."0123456789_.-upUPdownDOWNsqlbak~ xé".split(""));
const name = fc.oneof(
  fc.string({ unit: nameChars, maxLength: 30 }),
  fc
    .tuple(
      fc.bigInt({ min: 0n, max: 10n ** 25n }),
      fc.constantFrom("_", "-", ".", ""),
      fc.string({ maxLength: 5 }),
      fc.constantFrom(".up.", ".down.", "_up.", ".UP."),
      fc.constantFrom("sql", "sql.bak", "", "txt"),
    )
    .map(([v, sep, t, d, e]) => `${v}${sep}${t}${d}${e}`),
  fc.string({ maxLength: 40 }),
);

test("classifyName never throws and agrees with golang-migrate's regex", () => {
  fc.assert(
    fc.property(name, (n) => {
      const v = classifyName(n);
      const parsed = parseMigrationName(n);
      if (parsed) {
        expect(MIGRATION_NAME_REGEX.test(n)).toBe(true);
        expect(v.kind === "migration" || v.kind === "suspicious").toBe(true);
        expect(parsed.version).toBe(BigInt(parsed.versionText));
        expect(parsed.version < 1n << 64n).toBe(true);
      } else {
        expect(v.kind === "ignored" || v.kind === "unrelated").toBe(true);
      }
    }),
    { numRuns: 5000 },
  );
});

test("analyze never throws on random directory listings and changes", async () => {
  const config = parseConfig(
    "directories:\n  - { path: m, dialect: postgres }\n  - { path: m/sub, dialect: mysql }\n",
    { ref: "main" },
  );
  const entry = fc.record({
    name,
    kind: fc.constantFrom("file", "symlink", "submodule", "directory") as fc.Arbitrary<
      TreeEntry["kind"]
    >,
    oid: fc.string({
      unit: fc.constantFrom(..."0123456789abcdef".split("")),
      minLength: 40,
      maxLength: 40,
    }),
  });
  const change = fc.record({
    dir: fc.constantFrom("m", "m/sub", "m/deeper/x", "other"),
    name,
    status: fc.constantFrom("added", "modified", "removed", "renamed") as fc.Arbitrary<
      ChangedFile["status"]
    >,
    prev: name,
    content: fc.oneof(fc.string({ maxLength: 60 }), fc.uint8Array({ maxLength: 60 })),
  });
  await fc.assert(
    fc.asyncProperty(
      fc.array(entry, { maxLength: 12 }),
      fc.array(change, { maxLength: 12 }),
      async (base, changes) => {
        const contents = new Map<string, Uint8Array>();
        const cs: ChangeSet = {
          mode: "git",
          base: { ref: "main" },
          head: { ref: "feature" },
          baseTrees: new Map([["m", base]]),
          changes: changes.map((c) => {
            const path = `${c.dir}/${c.name}`;
            contents.set(path, typeof c.content === "string" ? Buffer.from(c.content) : c.content);
            return c.status === "renamed"
              ? { path, status: c.status, previousPath: `m/${c.prev}` }
              : { path, status: c.status };
          }),
          contents,
        };
        const { report } = await analyze(config, cs, { tool: { name: "t", version: "0" } });
        for (const f of report.findings) {
          expect(f.startLine).toBeGreaterThanOrEqual(1);
          expect(f.endLine).toBeGreaterThanOrEqual(f.startLine);
          expect(f.message.length).toBeGreaterThan(0);
        }
      },
    ),
    { numRuns: 500 },
  );
});

test("a directory with 10,000 merged migrations: the change is checked against all of them", async () => {
  const config = parseConfig(null, { ref: "main" });
  const base: TreeEntry[] = [];
  // Even versions 2..10000, so an odd version in between is new but out of order.
  for (let v = 2; v <= 10_000; v += 2) {
    for (const d of ["up", "down"]) {
      base.push({
        name: `${String(v).padStart(6, "0")}_m${v}.${d}.sql`,
        kind: "file",
        oid: v.toString(16).padStart(40, "0"),
      });
    }
  }
  const add = (path: string) => ({ path, status: "added" as const, oid: "f".repeat(40) });
  const cs: ChangeSet = {
    mode: "git",
    base: { ref: "main" },
    head: { ref: "feature" },
    baseTrees: new Map([["migrations", base]]),
    changes: [
      add("migrations/004999_late.up.sql"),
      add("migrations/010001_next.up.sql"),
      add("migrations/010001_next.down.sql"),
    ],
    contents: new Map([
      ["migrations/004999_late.up.sql", Buffer.from("SELECT 1;")],
      ["migrations/010001_next.up.sql", Buffer.from("SELECT 1;")],
      ["migrations/010001_next.down.sql", Buffer.from("SELECT 1;")],
    ]),
  };
  const { report } = await analyze(config, cs, { tool: { name: "t", version: "0" } });
  expect(report.findings.map((f) => `${f.path} ${f.ruleId}`)).toEqual([
    "migrations/004999_late.up.sql out-of-order-migration",
    "migrations/004999_late.up.sql missing-down-migration",
  ]);
});
