/**
 * Git objects remembered across events by one process (each queue worker has its own), so that a
 * repeated event reads no git object again and a warm one (a new head on the same base) reads only
 * the objects it has not seen. An object id names its content for ever, so nothing here expires:
 * only the byte bound drops entries, the least recently used first.
 *
 * Nothing mutable is kept: no ref, branch tip, pull request head, check run or review. What an
 * event reads about those is always fresh; this only answers "what is object X" once X came from
 * a fresh answer. Entries are keyed by repository id, so an object is never served to another
 * repository (nor, a repository belonging to one installation, to another installation).
 *
 * Only what verifies goes in, checked here (not trusted from the caller): a tree whose entries
 * encode to its id, a blob whose bytes hash to its id. A commit's root tree cannot be checked that
 * way (the commit object itself is never read, only GitHub's word on its tree): the caller records
 * it only from an answer to a question about that very commit id (the gather's `object(oid:)`,
 * REST's `GET /git/commits/{sha}` answering that sha). That word is what the evaluation of the
 * same event already relies on; keeping it only spares asking GitHub the same question again, and
 * every tree below it must still verify against the id the link names.
 */
import { gitObjectId } from "../changeset/object-id.js";
import type { RawTree } from "./git.js";
import { verifiedTree, type GraphqlTreeEntry } from "./git-gather.js";

/** 64 MB per process; GIT_OBJECT_CACHE_MB sets it, 0 turns the cache off. */
export const DEFAULT_GIT_OBJECT_CACHE_BYTES = 64 * 1024 * 1024;

const GIT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** What an entry costs besides its content (key, map slot, object headers): a rough bound. */
const OVERHEAD = 200;

type Value =
  | { kind: "commit"; tree: string }
  | { kind: "tree"; tree: RawTree }
  | { kind: "blob"; bytes: Uint8Array };

/** One repository's view of the cache: what a TreeReader consults. */
export interface RepositoryObjects {
  cache: GitObjectCache;
  /** The repository's id on GitHub (the pull request's base repository). */
  repoId: number;
}

export class GitObjectCache {
  readonly maxBytes: number;
  #bytes = 0;
  readonly #entries = new Map<string, { value: Value; size: number }>();

  constructor(maxBytes: number = DEFAULT_GIT_OBJECT_CACHE_BYTES) {
    this.maxBytes = Math.max(0, maxBytes);
  }

  /** Bytes held now (the bound's measure). */
  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Forgets everything (a fresh process, for tests). */
  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  commitTree(repoId: number, sha: string): string | undefined {
    const v = this.#get(repoId, "commit", sha);
    return v?.kind === "commit" ? v.tree : undefined;
  }

  tree(repoId: number, sha: string): RawTree | undefined {
    const v = this.#get(repoId, "tree", sha);
    return v?.kind === "tree" ? v.tree : undefined;
  }

  blob(repoId: number, oid: string): Uint8Array | undefined {
    const v = this.#get(repoId, "blob", oid);
    return v?.kind === "blob" ? v.bytes : undefined;
  }

  /** A commit's root tree, from an answer about that commit id (see the header). */
  setCommitTree(repoId: number, sha: string, tree: string): void {
    if (!GIT_ID.test(sha) || !GIT_ID.test(tree) || sha.length !== tree.length) return;
    this.#set(repoId, "commit", sha, { kind: "commit", tree }, 0);
  }

  /** A tree, kept only when complete and its entries encode to `sha`; returns whether kept. */
  setTree(repoId: number, sha: string, tree: RawTree): boolean {
    if (this.maxBytes === 0 || tree.truncated) return false;
    const verified = verifiedRawTree(sha, tree);
    if (!verified) return false;
    let size = 0;
    for (const e of verified.entries) size += e.path.length + 100;
    return this.#set(repoId, "tree", sha, { kind: "tree", tree: verified }, size);
  }

  /** A blob, kept only when its bytes hash to `oid`; returns whether kept. */
  setBlob(repoId: number, oid: string, bytes: Uint8Array): boolean {
    if (this.maxBytes === 0 || !GIT_ID.test(oid)) return false;
    if (gitObjectId("blob", bytes, oid) !== oid) return false;
    // A copy: whoever handed the bytes in may still hold (and write) them.
    return this.#set(
      repoId,
      "blob",
      oid,
      { kind: "blob", bytes: Uint8Array.from(bytes) },
      bytes.length,
    );
  }

  #get(repoId: number, kind: Value["kind"], id: string): Value | undefined {
    const key = keyOf(repoId, kind, id);
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    // Most recently used last: eviction takes from the front.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  #set(repoId: number, kind: Value["kind"], id: string, value: Value, content: number): boolean {
    const size = content + OVERHEAD;
    if (size > this.maxBytes) return false;
    const key = keyOf(repoId, kind, id);
    const old = this.#entries.get(key);
    if (old) {
      this.#entries.delete(key);
      this.#bytes -= old.size;
    }
    this.#entries.set(key, { value, size });
    this.#bytes += size;
    while (this.#bytes > this.maxBytes) {
      const [oldest, entry] = this.#entries.entries().next().value!;
      this.#entries.delete(oldest);
      this.#bytes -= entry.size;
    }
    return true;
  }
}

function keyOf(repoId: number, kind: Value["kind"], id: string): string {
  return `${repoId}\0${kind}\0${id}`;
}

/** A REST-shaped listing rebuilt from its hashed modes when it is exactly tree `sha`, else null. */
function verifiedRawTree(sha: string, tree: RawTree): RawTree | null {
  const entries: GraphqlTreeEntry[] = [];
  for (const e of tree.entries) {
    if (!/^[0-7]{1,6}$/.test(e.mode)) return null;
    entries.push({
      name: e.path,
      mode: parseInt(e.mode, 8),
      type: e.type,
      oid: e.sha,
      size: e.size ?? Number.NaN,
    });
  }
  const verified = verifiedTree(sha, entries);
  if (!verified) return null;
  Object.freeze(verified.entries);
  for (const e of verified.entries) Object.freeze(e);
  return Object.freeze(verified);
}

/**
 * `GIT_OBJECT_CACHE_MB`: see DEFAULT_GIT_OBJECT_CACHE_BYTES (unset: the default). A value that is
 * not a whole number of megabytes stops the process, naming the variable.
 */
export function gitObjectCacheFromEnv(env: NodeJS.ProcessEnv): { gitObjectCacheBytes?: number } {
  const raw = env.GIT_OBJECT_CACHE_MB;
  if (raw === undefined || raw === "") return {};
  if (!/^\d{1,6}$/.test(raw))
    throw new Error(
      `GIT_OBJECT_CACHE_MB must be a whole number of megabytes (0: read every git object on every event), not "${raw}"`,
    );
  return { gitObjectCacheBytes: Number(raw) * 1024 * 1024 };
}
