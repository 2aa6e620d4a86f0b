/**
 * What the change runs beyond its top-level statements: the bodies of routines it creates and
 * then calls (directly, through other routines, or through triggers it creates on tables it then
 * writes), and what it runs without showing it — calls of routines created elsewhere, EXECUTE of
 * a statement it never prepares, dynamic SQL.
 *
 * A routine the change creates and calls runs during the migration, so its statements are
 * analysed where they are written, with a note saying which call runs them. So is one that runs
 * after the deploy on live data without any call in the change: the function of a trigger the
 * change creates (it fires on the table's next write), and a CREATE OR REPLACE of a routine the
 * change did not create (a merged trigger, default or caller may run it). Other routines the
 * change creates but never calls are application code; their bodies are not analysed.
 */
import type { ChangeLedger, At } from "./ledger.js";
import { isBuiltinRoutine } from "./volatility.js";
import {
  displayName,
  type Effects,
  type ObjectName,
  type Span,
  type StatementModel,
} from "./model.js";

/** A statement to analyse that is not a top-level statement of its file. */
export interface NestedStatement {
  file: number;
  /** The top-level statement it belongs to (or the routine's CREATE) in that file. */
  index: number;
  model: StatementModel;
  span: Span;
  /** A sentence for messages: where and when it runs. */
  note: string;
}

/** Something that runs whose effect cannot be seen (rule unanalyzable-statement). */
export interface OpaqueStatement {
  file: number;
  span: Span;
  /** What it is, as a sentence start: "EXECUTE of a string built at run time". */
  what: string;
  note: string;
}

export interface ReachInput {
  /** The change's files in execution order, by ledger file index. */
  files: Array<{
    file: number;
    path: string;
    lines: { position(offset: number): { line: number } };
    /** Top-level statements (primary reading, then other readings), with their indexes. */
    statements: Array<{ index: number; model: StatementModel; span: Span }>;
  }>;
  ledger: ChangeLedger;
}

export interface ReachResult {
  nested: NestedStatement[];
  opaque: OpaqueStatement[];
}

const conditionalNote =
  " It runs only when a condition in the code holds, so a replay on empty tables may never run it.";

export function reach(input: ReachInput): ReachResult {
  const { ledger } = input;
  const nested: NestedStatement[] = [];
  const opaque: OpaqueStatement[] = [];
  const reached = new Set<string>();
  const byFile = new Map(input.files.map((f) => [f.file, f]));

  const lineOf = (file: number, offset: number) =>
    byFile.get(file)?.lines.position(offset).line ?? 0;

  const where = (file: number, span: Span, from: number) => {
    const f = byFile.get(file);
    const line = lineOf(file, span.start);
    return file === from || !f ? `line ${line}` : `line ${line} of ${f.path}`;
  };

  /** Everything one executed statement (or routine body) does. */
  const run = (
    model: StatementModel | null,
    effects: Effects | undefined,
    at: At,
    file: number,
    note: string,
    conditional: boolean,
    span: Span,
  ) => {
    if (model) {
      for (const t of model.writes ?? []) fire(t, at, file, span, note);
      if (model.kind === "create-routine" && model.routineType === "event") {
        // MySQL events run on their schedule: their body is part of what the migration starts.
        const def = ledger.routine(model.name, { file: at.file, statement: at.statement + 1 });
        if (def) enter(def, `runs on the schedule of event ${displayName(model.name)}`, at);
      }
      if (model.kind === "create-other" && model.trigger && !model.trigger.event) {
        // Fires on the table's writes after the deploy, on live rows: a time bomb if it deletes.
        const t = model.trigger;
        const how = `runs on every later write to ${displayName(t.table)} (trigger ${model.name?.name ?? ""}), on live data after the deploy`;
        const after = { file: at.file, statement: at.statement + 1 };
        if (t.body) {
          enter({ ...at, value: { name: model.name ?? t.table, body: t.body } }, how, after);
        } else if (t.function) {
          const def = ledger.routine(t.function, after);
          if (def) enter(def, how, after);
        }
      }
      if (
        model.kind === "create-routine" &&
        model.orReplace &&
        !ledger.routine(model.name, at) &&
        !isBuiltinRoutine(model.name.name)
      ) {
        // Replaces a routine that may already exist: whatever already uses it (a merged trigger,
        // a default, the application) runs the new body from now on.
        const def = ledger.routine(model.name, { file: at.file, statement: at.statement + 1 });
        if (def)
          enter(
            def,
            `replaces ${displayName(model.name)}(), which may already exist: wherever it is used (a merged trigger, a column default, the application) runs this body from now on`,
            at,
          );
      }
      if (model.kind === "create-other" && model.trigger?.event && model.trigger.function) {
        callRoutine(
          model.trigger.function,
          false,
          false,
          { file: at.file, statement: at.statement + 1 },
          file,
          span,
          `runs on every later DDL statement (event trigger ${model.name?.name ?? ""})`,
          note,
        );
      }
    }
    if (!effects) return;
    for (const e of effects.embedded) {
      for (const t of e.model.writes ?? []) fire(t, at, file, e.span, note);
    }
    for (const o of effects.opaque)
      opaque.push({
        file,
        span: o.span,
        what: o.what,
        note: note + (o.conditional || conditional ? conditionalNote : ""),
      });
    for (const c of effects.calls)
      callRoutine(
        c.name,
        c.procedure,
        c.builtin === true,
        at,
        file,
        c.span,
        null,
        note + (c.conditional || conditional ? conditionalNote : ""),
      );
    for (const x of effects.executes) {
      if (ledger.isPrepared(x.name, at)) continue;
      // Prepared earlier in the same body (a procedure that PREPAREs, then EXECUTEs).
      const preparedHere = effects.embedded.some(
        (e) =>
          e.model.kind === "prepare" &&
          e.model.name.toLowerCase() === x.name.toLowerCase() &&
          e.span.start < x.span.start,
      );
      if (preparedHere) continue;
      opaque.push({
        file,
        span: x.span,
        what: `EXECUTE ${x.name} runs a prepared statement this change does not prepare before it (it may come from a merged migration or an earlier session)`,
        note: note + (x.conditional || conditional ? conditionalNote : ""),
      });
    }
  };

  const callRoutine = (
    name: ObjectName,
    procedure: boolean,
    builtin: boolean,
    at: At,
    file: number,
    span: Span,
    how: string | null,
    note: string,
  ) => {
    const def = ledger.routine(name, at);
    const label = `${displayName(name)}()`;
    if (def) {
      enter(def, how ?? `runs when ${label} is called on ${where(file, span, def.file)}`, at);
      return;
    }
    if (builtin || isBuiltinRoutine(name.name)) return;
    if (how) {
      opaque.push({
        file,
        span,
        what: `This statement ${how.replace(/^runs /, "makes the server run ")}, but the function ${label} is not created in this change: what it does cannot be seen here`,
        note,
      });
      return;
    }
    opaque.push({
      file,
      span,
      what: `${procedure ? "CALL of the procedure" : "A call of"} ${label}, which this change does not create: what it does cannot be seen here`,
      note,
    });
  };

  /** A routine's body runs: analyse it where it is written. */
  const enter = (
    def: { file: number; statement: number; value: { name: ObjectName; body: Effects } },
    how: string,
    callAt: At,
  ) => {
    const key = `${def.file}:${def.statement}`;
    if (reached.has(key)) return;
    reached.add(key);
    const note = ` The body ${how}.`;
    for (const e of def.value.body.embedded)
      nested.push({
        file: def.file,
        index: def.statement,
        model: e.model,
        span: e.span,
        note: `This statement runs ${e.via}.${note}${e.conditional ? conditionalNote : ""}`,
      });
    // What the body calls is resolved as of the call: routines created before the call count.
    run(null, def.value.body, callAt, def.file, note, false, { start: 0, end: 0 });
  };

  /** Rows written to `table`: triggers the change created on it fire. */
  const fire = (table: ObjectName, at: At, file: number, span: Span, note: string) => {
    for (const t of ledger.triggersOn(table, at)) {
      const how = `runs on writes to ${displayName(table)} (trigger ${t.value.name})`;
      if (t.value.body) {
        enter(
          {
            file: t.file,
            statement: t.statement,
            value: { name: { name: t.value.name }, body: t.value.body },
          },
          how,
          at,
        );
      } else if (t.value.function) {
        callRoutine(t.value.function, false, false, at, file, span, how, note);
      }
    }
  };

  for (const f of input.files) {
    for (const s of f.statements) {
      const at = { file: f.file, statement: s.index };
      run(s.model, s.model.effects, at, f.file, "", false, s.span);
    }
  }
  return { nested, opaque };
}
