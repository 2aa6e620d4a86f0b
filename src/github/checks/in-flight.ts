/**
 * Evaluations in progress, two registries:
 *
 * - `evaluations` (this process, per repository, head, pull request and check): a later-started
 *   evaluation of the same check, head and pull request decides (of any pull request of the head,
 *   for lint: written.ts decidesForHead), so an older one never writes a pass over it (see
 *   checks/write.ts).
 * - An InFlight registry (per repository and check, across pull requests and heads): the trace
 *   that lets a repeated blocking result go unwritten. An evaluation registers before its first
 *   read and leaves when its writes are done; a blocking result identical to the newest run may
 *   be left unwritten only when the registry proves no other evaluation of that check in the
 *   repository overlapped this one (docs/github-app.md, "Writing the check runs"). Two
 *   implementations: InProcessInFlight (one server, no REDIS_URL) and RedisInFlight
 *   (queue/in-flight-redis.ts, shared by every worker).
 *
 * Why per repository and not per head: the head is known only after the first read, and the
 * registration must come before it (an older evaluation that ends between this one's first read
 * and its registration would otherwise write a pass this one never sees). Coarser only means a
 * busy repository re-writes its blocks more often, as before.
 */
import { performance } from "node:perf_hooks";
import type { RepoRef } from "../client.js";
import type { PullRequestInfo } from "../pull-request.js";
import type { CheckDefinition } from "./types.js";
import { decidesForHead } from "./written.js";

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
    // A check that decides for every pull request of the head: a later evaluation of any of
    // them decides (written.ts decidesForHead).
    const key = (name: string) =>
      JSON.stringify([
        repo.owner.toLowerCase(),
        repo.repo.toLowerCase(),
        pr.headSha,
        decidesForHead(name) ? null : pr.number,
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

/** One evaluation's registration in an InFlight registry. */
export interface InFlightEntry {
  /**
   * The checks among `names` for which no other evaluation of that check in the repository was
   * in progress when this one registered, none registered or left since, and none is in
   * progress now. Asked right before leaving a block unwritten, after every read. Never throws:
   * whatever it cannot prove is left out (the block is then written).
   */
  alone(names: readonly string[]): Promise<ReadonlySet<string>>;
  /**
   * False once others may no longer see this evaluation (its lease may have expired, or it never
   * registered): it must then not write a pass, since one that decided it was alone may have
   * left a block unwritten meanwhile. Asked right before each request that writes a pass.
   */
  live(): boolean;
  /**
   * live(), confirmed by the store itself: false unless the registry still holds this
   * registration with its lease not ended by the store's own clock. The clock of live() cannot
   * tell when Redis forgot the registration (a restart without persistence, a failover to a
   * replica that had not received it, an evicted key) or ended its lease early (Redis's clock
   * jumped forward): another evaluation may then have found itself alone and left a block
   * unwritten, so this one must not write a pass. Asked right before a pass is written and, for
   * a quick evaluation, once its passes are created (its create may have landed after such an
   * evaluation read the runs). Never throws: what it cannot confirm is false.
   */
  held(): Promise<boolean>;
  /** Leaves the registry (after the evaluation's last write). Never throws. */
  end(): Promise<void>;
}

export interface InFlight {
  /**
   * Registers an evaluation of `names` in `repo` for at most `leaseMs` (longer than it may take;
   * afterwards it is no longer seen, and no longer live). `repoId`, the repository's id when the
   * delivery gave it, is a second key (inFlightKeys). Never throws: an entry that could not
   * register proves nothing alone and is not live.
   */
  begin(
    repo: RepoRef,
    names: readonly string[],
    leaseMs: number,
    repoId?: number,
  ): Promise<InFlightEntry>;
}

/** The registry key of a check in a repository by its name (both registries). */
export function inFlightKey(repo: RepoRef, name: string): string {
  return JSON.stringify([repo.owner.toLowerCase(), repo.repo.toLowerCase(), name]);
}

/**
 * Every key a check's registration is made under: the repository's name, and its id when known.
 * The name alone splits one repository in two when it is renamed or transferred while an
 * evaluation runs (the older one's delivery named the old name, GitHub redirects its requests):
 * a newer evaluation under the new name would find itself alone. The id survives both; the name
 * stays a key for deliveries that carry no id (an evaluation is seen under either, and is alone
 * only when alone under both).
 */
export function inFlightKeys(repo: RepoRef, name: string, repoId?: number): string[] {
  const byName = inFlightKey(repo, name);
  return repoId === undefined ? [byName] : [byName, JSON.stringify(["#id", repoId, name])];
}

/**
 * A lease is trusted until this long (or a tenth of it, if less) before it ends by this
 * process's own clock, measured from before the registration was sent: the store's lease starts
 * later, so it ends later too; the margin covers clocks that run at slightly different rates.
 */
export const LEASE_MARGIN_MS = 5_000;

/** live() of an entry registered `sentAt` (performance.now()) for `leaseMs`. */
export function leaseClock(sentAt: number, leaseMs: number, now = () => performance.now()) {
  const until = sentAt + leaseMs - Math.min(LEASE_MARGIN_MS, leaseMs / 10);
  return () => now() < until;
}

interface Slot {
  epoch: number;
  members: Set<number>;
}

/**
 * The registry of one server process (no REDIS_URL: docs/deployment.md runs one server then).
 * Entries never expire here: an evaluation that hangs keeps its checks re-written, which is
 * what happened before; it is always live, since no other process can skip because of it.
 */
export class InProcessInFlight implements InFlight {
  readonly #slots = new Map<string, Slot>();
  #seq = 0;

  begin(
    repo: RepoRef,
    names: readonly string[],
    _leaseMs?: number,
    repoId?: number,
  ): Promise<InFlightEntry> {
    const id = ++this.#seq;
    const began = new Map<string, Array<{ key: string; epoch: number; others: boolean }>>();
    for (const name of new Set(names)) {
      const at: Array<{ key: string; epoch: number; others: boolean }> = [];
      for (const key of inFlightKeys(repo, name, repoId)) {
        let slot = this.#slots.get(key);
        if (!slot) this.#slots.set(key, (slot = { epoch: 0, members: new Set() }));
        at.push({ key, epoch: ++slot.epoch, others: slot.members.size > 0 });
        slot.members.add(id);
      }
      began.set(name, at);
    }
    let ended = false;
    return Promise.resolve({
      alone: (asked) => {
        const out = new Set<string>();
        if (ended) return Promise.resolve(out);
        for (const name of asked) {
          const at = began.get(name);
          if (!at) continue;
          const alone = at.every((b) => {
            const slot = this.#slots.get(b.key);
            return (
              !b.others &&
              slot !== undefined &&
              slot.epoch === b.epoch &&
              slot.members.size === 1 &&
              slot.members.has(id)
            );
          });
          if (alone) out.add(name);
        }
        return Promise.resolve(out);
      },
      live: () => true,
      // Nothing but this process holds it, and it never expires.
      held: () => Promise.resolve(true),
      end: () => {
        if (ended) return Promise.resolve();
        ended = true;
        for (const { key } of [...began.values()].flat()) {
          const slot = this.#slots.get(key);
          if (!slot) continue;
          slot.members.delete(id);
          slot.epoch++;
          if (slot.members.size === 0) this.#slots.delete(key);
        }
        return Promise.resolve();
      },
    });
  }
}
