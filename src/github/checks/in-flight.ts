/**
 * Evaluations in progress in this process: a later-started evaluation of the same check, head and
 * pull request decides, so an older one never writes a pass over it (see checks/write.ts).
 */
import type { RepoRef } from "../client.js";
import type { PullRequestInfo } from "../pull-request.js";
import type { CheckDefinition } from "./types.js";

/** One evaluation's claim on its checks of one pull request's head (see Evaluations). */
export interface Generation {
  readonly seq: number;
  readonly keys: readonly string[];
  /** Non-null when an evaluation of the same check and head started later in this process. */
  superseded(name: string): { seq: number } | null;
}

/**
 * Evaluations in progress in this process, by repository, head, pull request and check: a
 * later-started one decides, even when it wrote nothing because the run it found was already
 * right (which no listing can show). Entries live only while their evaluation runs.
 */
class Evaluations {
  readonly #latest = new Map<string, number>();
  #seq = 0;

  begin(repo: RepoRef, pr: PullRequestInfo, checks: readonly CheckDefinition[]): Generation {
    const seq = ++this.#seq;
    const key = (name: string) =>
      JSON.stringify([
        repo.owner.toLowerCase(),
        repo.repo.toLowerCase(),
        pr.headSha,
        pr.number,
        name,
      ]);
    const keys = checks.map((c) => key(c.name));
    for (const k of keys) this.#latest.set(k, seq);
    return {
      seq,
      keys,
      superseded: (name) => {
        const latest = this.#latest.get(key(name));
        return latest === seq ? null : { seq: latest ?? -1 };
      },
    };
  }

  end(g: Generation): void {
    for (const k of g.keys) if (this.#latest.get(k) === g.seq) this.#latest.delete(k);
  }
}

export const evaluations = new Evaluations();
