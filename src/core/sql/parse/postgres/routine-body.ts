/**
 * What running a CREATE FUNCTION/PROCEDURE's body does: PL/pgSQL bodies are read statement by
 * statement, SQL bodies parsed, other languages are opaque.
 */
import type { Node } from "libpg-query";
import { tokenize } from "../../lexer.js";
import { noEffects, type Effects, type StatementModel } from "../../model.js";
import { readLiteral } from "../literal.js";
import {
  collectEffects,
  DML,
  MAX_DEPTH,
  merge,
  type EffectsContext,
  type WalkState,
} from "../pg-effects.js";
import { nodeSpan, obj, type Json } from "../pg-tree.js";
import { plpgsqlEffects } from "../plpgsql.js";
import type { ServerVersion, StatementInput } from "../types.js";
import { sqlStrings } from "./sql-strings.js";

export function routineBody(
  node: Node,
  input: StatementInput,
  version: ServerVersion | null,
  depth: number,
  nested: (node: Node, input: StatementInput) => StatementModel,
  model: (node: Node, input: StatementInput) => StatementModel,
): Effects {
  const out = noEffects();
  const f = obj((node as Json).CreateFunctionStmt) ?? {};
  const options = (Array.isArray(f.options) ? f.options : []).map(
    (o) => obj(obj(o)?.DefElem) ?? {},
  );
  const langArg = obj(obj(options.find((o) => o.defname === "language")?.arg)?.String)?.sval;
  const language = typeof langArg === "string" ? langArg.toLowerCase() : "sql";
  const st: WalkState = { executing: true, via: null, conditional: false };
  const fname = ((f.funcname as unknown[]) ?? []).map((x) =>
    String(obj(obj(x)?.String)?.sval ?? ""),
  );
  const via = `inside the body of ${fname[fname.length - 1] ?? "the routine"}()`;
  const toks = tokenize(input.text, "postgres");
  // The body: the string after the first top-level AS.
  let bodyTok;
  for (let i = 0, depthP = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.kind === "punct" && t.text === "(") depthP++;
    else if (t.kind === "punct" && t.text === ")") depthP--;
    else if (
      depthP === 0 &&
      t.kind === "word" &&
      t.text === "AS" &&
      toks[i + 1]?.kind === "string"
    ) {
      bodyTok = toks[i + 1];
      break;
    }
  }
  const span = bodyTok
    ? { start: input.base + bodyTok.start, end: input.base + bodyTok.end }
    : input.span;
  const sqlBody = obj(f.sql_body);
  if (sqlBody) {
    // BEGIN ATOMIC … END / RETURN expr: already parsed with the statement.
    const ctx: EffectsContext = { input, version, depth, model, nested };
    const items = (obj(sqlBody.List)?.items as unknown[]) ?? [];
    const stmts = items.flatMap((x) =>
      obj(obj(x)?.List) ? ((obj(obj(x)!.List)!.items as unknown[]) ?? []) : [x],
    );
    for (const s of stmts) {
      const k = Object.keys(obj(s) ?? {})[0] ?? "";
      const m = model(s as Node, input);
      const e = collectEffects(s as Node, ctx);
      if (DML[k])
        out.embedded.push({ model: m, span: nodeSpan(s, input, DML[k]!), via, conditional: false });
      merge(out, e, false);
    }
    return out;
  }
  if (!bodyTok) return out;
  const literal = readLiteral(bodyTok.text);
  if (language === "plpgsql" && literal) {
    if (depth >= MAX_DEPTH) {
      out.opaque.push({
        span,
        what: "a routine body nested too deep to follow",
        conditional: false,
      });
      return out;
    }
    merge(
      out,
      plpgsqlEffects({
        statement: input.text,
        literal,
        bodyBase: input.base + bodyTok.start,
        bodySpan: span,
        via,
        depth,
        nested,
      }),
      false,
    );
    return out;
  }
  if (language === "sql" && literal) {
    merge(
      out,
      sqlStrings(
        literal.value,
        (i) => input.base + bodyTok!.start + literal.at(i),
        span,
        via,
        depth,
        nested,
      ),
      false,
    );
    return out;
  }
  out.opaque.push({
    span,
    what: `a routine in language ${language}, whose body migration-warden cannot read`,
    conditional: st.conditional,
  });
  return out;
}
