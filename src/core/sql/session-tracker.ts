/**
 * The session's reading of quotes and backslashes, statement after statement through a file or a
 * change (see session.ts for the settings and what each does).
 */
import type { Dialect } from "../types.js";
import type { Token } from "./lexer.js";
import { sameSession, sessionAfter, settingChanges, type Session } from "./session.js";

/**
 * Follows a session's reading through executed statements, with Postgres transaction semantics
 * (a SET inside a transaction that rolls back is undone; SET LOCAL lasts until the transaction
 * ends and does nothing outside one). MySQL's SET is not transactional.
 */
export class SessionTracker {
  current: Session;
  /** A statement changed a setting in a way this tracker cannot follow (a computed value). */
  uncertain = false;
  private committed: Session;
  private txSession: Session | null = null;
  private readonly pg: boolean;

  constructor(
    private readonly dialect: Dialect,
    start: Session,
    /** Postgres runs a whole file as one implicit transaction (golang-migrate's default mode). */
    private readonly implicitTx = false,
  ) {
    this.current = start;
    this.committed = start;
    this.pg = dialect === "postgres" || dialect === "cockroachdb";
    if (this.pg && implicitTx) this.txSession = start;
  }

  /** One statement ran; true when the reading of what follows changed. */
  statement(toks: readonly Token[]): boolean {
    const before = this.current;
    const first = toks[0]?.kind === "word" ? toks[0].text : "";
    if (this.pg) {
      if (first === "BEGIN" || (first === "START" && toks[1]?.text === "TRANSACTION")) {
        this.txSession ??= this.committed;
      } else if (first === "COMMIT" || first === "END") {
        if (toks[1]?.text !== "PREPARED") this.endTx(true);
      } else if ((first === "ROLLBACK" || first === "ABORT") && toks[1]?.text !== "TO") {
        if (toks[1]?.text !== "PREPARED") this.endTx(false);
      }
    }
    const { changes, unknown } = settingChanges(toks, this.dialect);
    if (unknown) this.uncertain = true;
    for (const c of changes) {
      if (c.scope === "new-sessions" || c.scope === "function") continue;
      const after = sessionAfter(this.current, c, this.dialect);
      if (after === null) continue;
      if (after === undefined) {
        this.uncertain = true;
        continue;
      }
      if (!this.pg) {
        this.current = this.committed = after;
      } else if (c.scope === "local") {
        if (this.txSession) this.current = after; // outside a transaction: a warning, no effect
      } else if (this.txSession) {
        this.txSession = after;
        this.current = after;
      } else {
        this.current = this.committed = after;
      }
    }
    return !sameSession(before, this.current);
  }

  /** The file ended: its implicit transaction commits. */
  finish(): Session {
    if (this.pg && this.implicitTx) this.endTx(true);
    return this.committed;
  }

  private endTx(commit: boolean): void {
    if (!this.txSession) return;
    if (commit) this.committed = this.txSession;
    this.current = this.committed;
    // In one simple query, statements after COMMIT run in a new implicit transaction.
    this.txSession = this.implicitTx ? this.committed : null;
  }
}
