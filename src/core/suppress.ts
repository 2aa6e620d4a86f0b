/**
 * Ignore comments (contract "Suppression"):
 *   -- migration-warden:ignore <rule-id>[,<rule-id>...] -- <reason>       (next statement)
 *   -- migration-warden:ignore-file <rule-id>[,<rule-id>...] -- <reason>  (whole file)
 * A directive without a reason suppresses nothing and is itself reported.
 */
import { ignoreUnknownRule } from "./rules/engine/ignore-unknown-rule.js";
import { ignoreWithoutReason } from "./rules/engine/ignore-without-reason.js";
import type { SplitResult } from "./sql/split.js";
import type { Finding } from "./types.js";

export interface Directive {
  scope: "statement" | "file";
  ruleIds: string[];
  /** Empty when the comment gave none. */
  reason: string;
  /** Where the comment is (1-based lines). */
  line: number;
  endLine: number;
  /** For statement scope: the lines of the statement it applies to; null if no statement follows. */
  target: { startLine: number; endLine: number } | null;
  /** Rule ids the comment names that no rule has. */
  unknownIds: string[];
}

/** Rules about the directives themselves (their messages live in the rule modules). */
const DIRECTIVE_RULES = [ignoreWithoutReason, ignoreUnknownRule] as const;

const DIRECTIVE = /^\s*migration-warden:(ignore-file|ignore)(?=\s|$)(.*)$/s;

export function parseDirectives(split: SplitResult, knownIds: ReadonlySet<string>): Directive[] {
  const out: Directive[] = [];
  const { statements } = split;
  let s = 0;
  for (const c of split.comments) {
    const m = DIRECTIVE.exec(c.body);
    if (!m) continue;
    const rest = m[2]!;
    const sep = rest.indexOf("--");
    const idsPart = sep >= 0 ? rest.slice(0, sep) : rest;
    const reason = (sep >= 0 ? rest.slice(sep + 2) : "").replace(/\s+/g, " ").trim();
    const ruleIds = idsPart
      .split(/[\s,]+/)
      .map((x) => x.trim())
      .filter((x) => x.length > 0);
    const d: Directive = {
      scope: m[1] === "ignore-file" ? "file" : "statement",
      ruleIds: ruleIds.filter((id) => knownIds.has(id)),
      reason,
      line: c.startPos.line,
      endLine: c.endPos.line,
      target: null,
      unknownIds: ruleIds.filter((id) => !knownIds.has(id)),
    };
    if (d.scope === "statement") {
      while (s < statements.length && statements[s]!.end <= c.start) s++;
      const prev = s > 0 ? statements[s - 1] : undefined;
      const inside = s < statements.length && statements[s]!.start < c.start;
      if (inside) {
        // A comment inside a multi-line statement (e.g. above one ALTER TABLE action) is about
        // that statement.
        const cur = statements[s]!;
        d.target = { startLine: cur.startPos.line, endLine: cur.endPos.line };
      } else if (prev && prev.endPos.line === c.startPos.line) {
        // Trailing comment on the statement's own last line: users mean that statement.
        d.target = { startLine: prev.startPos.line, endLine: prev.endPos.line };
      } else {
        const nextStmt = statements[s];
        d.target = nextStmt
          ? { startLine: nextStmt.startPos.line, endLine: nextStmt.endPos.line }
          : null;
      }
    }
    out.push(d);
  }
  return out;
}

export interface SuppressionMeta {
  suppressible(ruleId: string): boolean;
}

/**
 * Mark findings covered by a directive with a reason. Returns findings about the directives
 * themselves (missing reason, unknown rule ids) for the caller to add.
 */
export function applyDirectives(
  findings: Finding[],
  directivesByPath: ReadonlyMap<string, Directive[]>,
  meta: SuppressionMeta,
): Omit<Finding, "severity">[] {
  for (const f of findings) {
    const ds = directivesByPath.get(f.path);
    if (!ds || !meta.suppressible(f.ruleId)) continue;
    const d = ds.find(
      (d) =>
        d.reason !== "" &&
        d.ruleIds.includes(f.ruleId) &&
        (d.scope === "file" ||
          (d.target !== null &&
            f.startLine >= d.target.startLine &&
            f.startLine <= d.target.endLine)),
    );
    if (d) f.suppressed = { reason: d.reason };
  }
  const extra: Omit<Finding, "severity">[] = [];
  for (const [path, ds] of directivesByPath) {
    for (const d of ds) {
      for (const rule of DIRECTIVE_RULES) {
        rule.check(d, (r) =>
          extra.push({
            ruleId: rule.meta.id,
            path,
            startLine: r.startLine,
            endLine: r.endLine,
            message: r.message,
            suggestion: r.suggestion ?? rule.meta.saferAlternative,
          }),
        );
      }
    }
  }
  return extra;
}
