/**
 * The registry of evaluations in progress (github/checks/in-flight.ts) in Redis, shared by every
 * worker (REDIS_URL). One hash per repository and check: field `epoch`, incremented on every
 * registration and every leave, and one field per evaluation in progress, `m:<id>`, holding when
 * its lease ends by the Redis server's clock (so workers' clocks are never compared with each
 * other's here). Each step is one Lua script, atomic over every key it names. A lease that
 * ended is ignored (and dropped) by the next script: its evaluation no longer writes a pass
 * (InFlightEntry.live). The hash itself expires a second after the longest lease in it, so an
 * evaluation's own field is gone only if the hash expired or its lease ended: alone() requires
 * it, which also rules out an epoch counted again from zero. The other way round, a registration
 * Redis forgot (restart, failover, eviction, its clock jumping) while its evaluation still runs
 * is found by that evaluation's held(), asked of Redis before and after it writes a pass.
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Redis } from "ioredis";
import type { RepoRef } from "../github/client.js";
import {
  inFlightKeys,
  leaseClock,
  type InFlight,
  type InFlightEntry,
} from "../github/checks/in-flight.js";

// KEYS: one hash per check and key (inFlightKeys). ARGV: id, lease ms. Returns, per key, {epoch, others in progress}.
const BEGIN = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[2])
local out = {}
for i, key in ipairs(KEYS) do
  local others = 0
  local fields = redis.call('HGETALL', key)
  for j = 1, #fields, 2 do
    local f = fields[j]
    if string.sub(f, 1, 2) == 'm:' then
      if tonumber(fields[j + 1]) <= now then redis.call('HDEL', key, f) else others = others + 1 end
    end
  end
  local epoch = redis.call('HINCRBY', key, 'epoch', 1)
  redis.call('HSET', key, 'm:' .. ARGV[1], now + lease)
  if redis.call('PTTL', key) < lease + 1000 then redis.call('PEXPIRE', key, lease + 1000) end
  out[i] = {epoch, others}
end
return out
`;

// KEYS: one hash per check. ARGV: id, then each key's epoch at registration. Returns 1/0 per key.
const ALONE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local own = 'm:' .. ARGV[1]
local out = {}
for i, key in ipairs(KEYS) do
  local ok = 1
  local fields = redis.call('HGETALL', key)
  local seen = false
  for j = 1, #fields, 2 do
    local f = fields[j]
    local v = tonumber(fields[j + 1])
    if f == 'epoch' then
      if v ~= tonumber(ARGV[i + 1]) then ok = 0 end
    elseif f == own then
      if v <= now then ok = 0 else seen = true end
    elseif string.sub(f, 1, 2) == 'm:' and v > now then
      ok = 0
    end
  end
  if not seen then ok = 0 end
  out[i] = ok
end
return out
`;

// KEYS: one hash per check. ARGV: id. 1 when every key still holds this registration with its
// lease not ended by the server's clock, else 0.
const HELD = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for _, key in ipairs(KEYS) do
  local v = redis.call('HGET', key, 'm:' .. ARGV[1])
  if not v or tonumber(v) <= now then return 0 end
end
return 1
`;

// KEYS: one hash per check. ARGV: id. Leaves, counting the leave in the epoch.
const END = `
for _, key in ipairs(KEYS) do
  redis.call('HDEL', key, 'm:' .. ARGV[1])
  redis.call('HINCRBY', key, 'epoch', 1)
  if redis.call('PTTL', key) < 0 then redis.call('PEXPIRE', key, 60000) end
end
return 1
`;

export interface RedisInFlightOptions {
  /** Key prefix (default "migration-warden:in-flight:"); tests use their own. */
  prefix?: string;
  /** Called with what went wrong when a step could not reach Redis (the step fails closed). */
  onError?: (err: unknown, step: string) => void;
  /** The clock live() reads (performance.now() by default); tests move it. */
  now?: () => number;
}

export class RedisInFlight implements InFlight {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #onError: (err: unknown, step: string) => void;
  readonly #now: () => number;

  constructor(redis: Redis, options: RedisInFlightOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? "migration-warden:in-flight:";
    this.#onError = options.onError ?? (() => undefined);
    this.#now = options.now ?? (() => performance.now());
  }

  async begin(
    repo: RepoRef,
    names: readonly string[],
    leaseMs: number,
    repoId?: number,
  ): Promise<InFlightEntry> {
    const unique = [...new Set(names)];
    // Each check's keys (by name, and by id when known: inFlightKeys), all in one script call.
    const keysOf = new Map(
      unique.map((n) => [n, inFlightKeys(repo, n, repoId).map((k) => this.#prefix + k)]),
    );
    const keys = [...keysOf.values()].flat();
    const id = randomUUID();
    const sentAt = this.#now();
    let began: Map<string, { epoch: number; others: boolean }> | null = null;
    try {
      const answer = (await this.#redis.eval(
        BEGIN,
        keys.length,
        ...keys,
        id,
        String(Math.ceil(leaseMs)),
      )) as Array<[number, number]>;
      began = new Map(
        keys.map((k, i) => [k, { epoch: Number(answer[i]![0]), others: answer[i]![1] !== 0 }]),
      );
    } catch (err) {
      // Unknown whether it registered: it proves nothing and writes no pass (fail closed); a
      // registration that did land only makes others write until its lease ends.
      this.#onError(err, "begin");
    }
    const live = began ? leaseClock(sentAt, leaseMs, this.#now) : () => false;
    let ended = false;
    return {
      alone: async (asked) => {
        const out = new Set<string>();
        if (!began || ended) return out;
        // A check is a candidate only when nobody else was registered under any of its keys.
        const candidates = [...new Set(asked)].filter((n) =>
          (keysOf.get(n) ?? []).every((k) => began.get(k)?.others === false),
        );
        if (candidates.length === 0 || !live()) return out;
        const asking = candidates.flatMap((n) => keysOf.get(n)!);
        try {
          const answer = (await this.#redis.eval(
            ALONE,
            asking.length,
            ...asking,
            id,
            ...asking.map((k) => String(began.get(k)!.epoch)),
          )) as number[];
          for (const n of candidates)
            if (keysOf.get(n)!.every((k) => answer[asking.indexOf(k)] === 1)) out.add(n);
        } catch (err) {
          this.#onError(err, "alone");
          return new Set();
        }
        return out;
      },
      live,
      held: async () => {
        if (!began || ended || !live()) return false;
        try {
          return (await this.#redis.eval(HELD, keys.length, ...keys, id)) === 1;
        } catch (err) {
          this.#onError(err, "held");
          return false;
        }
      },
      end: async () => {
        if (ended) return;
        ended = true;
        try {
          await this.#redis.eval(END, keys.length, ...keys, id);
        } catch (err) {
          // Its field stays until the lease ends: others re-write their blocks meanwhile.
          this.#onError(err, "end");
        }
      },
    };
  }
}
