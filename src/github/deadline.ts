/** Time limits of an evaluation: one deadline shared by its steps, and "settled in time". */
import { EvaluationError } from "./errors.js";

/** One time limit shared by the steps of an evaluation (writing the result is not limited). */
export class Deadline {
  readonly #at: number;
  constructor(readonly ms: number) {
    this.#at = Date.now() + ms;
  }

  /** Rejects when the deadline passes first; the abandoned work's result is ignored. */
  race<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new EvaluationError(
              `the evaluation did not finish within ${duration(this.ms)} (GitHub did not answer in time)`,
            ),
          ),
        Math.max(0, this.#at - Date.now()),
      );
    });
    return Promise.race([work, expired]).finally(() => clearTimeout(timer));
  }
}

function duration(ms: number): string {
  return ms < 1000
    ? `${ms} ms`
    : ms % 60_000 === 0
      ? `${ms / 60_000} minutes`
      : `${Math.round(ms / 1000)} seconds`;
}

/** True when `work` settles within `ms`. */
export async function settledWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}
