/**
 * The drift report: its JSON shape (contract: `migration-warden drift --format json`), its
 * status and exit code, and the text and Markdown forms (Markdown is what a scheduled workflow
 * puts in an issue).
 */
import { displayName } from "../schema.js";
import type { DriftDifference } from "./compare.js";
import type { DriftDialect } from "./url.js";

export type DriftStatus = "in-sync" | "drift" | "dirty" | "unknown-version";

export interface PendingMigration {
  version: string;
  /** The up file (or the down file, for a version that has only one). */
  path: string;
}

export interface DriftReport {
  tool: { name: string; version: string };
  database: {
    dialect: DriftDialect;
    /** Without the password. */
    url: string;
    /** golang-migrate's version; null when none is recorded. */
    version: string | null;
    dirty: boolean;
    /** "PostgreSQL 15.4". */
    server: string;
  };
  expected: {
    ref: string;
    sha: string;
    /** The version the live schema was compared with (null: no migration). */
    version: string | null;
    /** Where the migrations were replayed: "PGlite 0.5.16 (PostgreSQL 18.6)". */
    engine: string;
  };
  status: DriftStatus;
  /** Versions the repository has above the live one: not applied yet, not drift. */
  pending: PendingMigration[];
  differences: DriftDifference[];
  notes: string[];
}

/** Dirty outranks an unknown version, which outranks schema differences. */
export function driftStatus(r: {
  dirty: boolean;
  unknownVersion: boolean;
  differences: readonly unknown[];
}): DriftStatus {
  if (r.dirty) return "dirty";
  if (r.unknownVersion) return "unknown-version";
  return r.differences.length > 0 ? "drift" : "in-sync";
}

/** Contract: 0 in sync (pending allowed), 1 drift, dirty or unknown version. */
export function driftExitCode(report: DriftReport): number {
  return report.status === "in-sync" ? 0 : 1;
}

const CHANGE_WORDS = {
  added: "added outside migrations",
  missing: "missing",
  changed: "changed",
} as const;
const SIGN = { added: "+", missing: "-", changed: "~" } as const;

function headline(r: DriftReport): string {
  const at = r.database.version === null ? "no version" : `version ${r.database.version}`;
  switch (r.status) {
    case "in-sync":
      return `in sync: the live schema is what the migrations at ${r.expected.ref} give at ${at}`;
    case "drift":
      return `drift: ${r.differences.length} difference${r.differences.length === 1 ? "" : "s"} from what the migrations at ${r.expected.ref} give at ${at}`;
    case "dirty":
      return `dirty: migration ${r.database.version ?? "(none)"} failed or was interrupted, and golang-migrate refuses to run until someone repairs the schema and runs \`migrate force\``;
    case "unknown-version":
      return `unknown version: the database is at version ${r.database.version}, which the migrations at ${r.expected.ref} do not have (a migration deleted or renamed after it ran, or one applied from a branch)`;
  }
}

function comparedWith(r: DriftReport): string {
  const v = r.expected.version === null ? "no migration" : `version ${r.expected.version}`;
  return `compared with ${v} of ${r.expected.ref} (${r.expected.sha.slice(0, 12)}), replayed in ${r.expected.engine}`;
}

export function formatDriftText(r: DriftReport): string {
  const out: string[] = [];
  out.push(`${r.database.url} (${r.database.server}): ${headline(r)}`);
  out.push(`  ${comparedWith(r)}`);
  for (const d of r.differences) {
    out.push(`${SIGN[d.change]} ${d.kind} ${displayName(d.object)}: ${CHANGE_WORDS[d.change]}`);
    if (d.expected !== null) out.push(`    expected: ${d.expected}`);
    if (d.actual !== null) out.push(`    actual:   ${d.actual}`);
  }
  if (r.pending.length > 0)
    out.push(
      `pending (not applied yet, not drift): ${r.pending.map((p) => `${p.version} ${p.path}`).join(", ")}`,
    );
  for (const n of r.notes) out.push(`note: ${n}`);
  return `${out.join("\n")}\n`;
}

function cell(s: string | null): string {
  return s === null
    ? "—"
    : `\`${s.replace(/`/g, "'").replace(/\|/g, "\\|").replace(/\r?\n/g, " ")}\``;
}

export function formatDriftMarkdown(r: DriftReport): string {
  const out: string[] = [
    `## Schema drift: ${r.status}`,
    "",
    `**${r.database.url}** (${r.database.server}): ${headline(r)}.`,
    "",
    `${comparedWith(r).replace(/^c/, "C")}.`,
  ];
  if (r.differences.length > 0) {
    out.push(
      "",
      "| | kind | object | change | expected | actual |",
      "|---|---|---|---|---|---|",
      ...r.differences.map(
        (d) =>
          `| ${SIGN[d.change]} | ${d.kind} | \`${displayName(d.object)}\` | ${CHANGE_WORDS[d.change]} | ${cell(d.expected)} | ${cell(d.actual)} |`,
      ),
    );
  }
  if (r.pending.length > 0)
    out.push(
      "",
      `**Pending** (in the repository, not applied yet; not drift): ${r.pending.map((p) => `${p.version} (\`${p.path}\`)`).join(", ")}.`,
    );
  if (r.notes.length > 0) out.push("", ...r.notes.map((n) => `- ${n}`));
  return `${out.join("\n")}\n`;
}

export function formatDriftJson(r: DriftReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
