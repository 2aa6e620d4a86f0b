/**
 * What every part of `report approvals` shares: progress on stderr, at most one line every
 * `everyMs` per phase (and the last one), and the report's own errors (exit 2).
 */
export class Progress {
  #last = new Map<string, number>();
  constructor(
    private readonly write: (line: string) => void,
    private readonly everyMs = 2000,
  ) {}
  note(line: string): void {
    this.write(`migration-warden: ${line}\n`);
  }
  /** `phase: done/total`, throttled; the first and the last step always show. */
  step(phase: string, done: number, total: number): void {
    this.status(phase, `${phase}: ${done}/${total}`, done === 1 || done === total);
  }
  /** A line for a phase, throttled unless `force`. */
  status(phase: string, line: string, force = false): void {
    const now = Date.now();
    if (!force && now - (this.#last.get(phase) ?? 0) < this.everyMs) return;
    this.#last.set(phase, now);
    this.note(line);
  }
}

export class ReportError extends Error {}
