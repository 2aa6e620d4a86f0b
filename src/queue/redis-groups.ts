/**
 * The Redis queue's own state per group (redis.ts), in plain Redis keys next to BullMQ's: the
 * key layout and the Lua scripts, the only code that changes those keys, one script at a time.
 * In its own module because the scripts are the protocol: read them together.
 *
 * - group order: each group's unfinished jobs are listed by arrival in a sorted set ("order").
 *   A worker runs a job only when it is its group's oldest and the worker holds the group's lock
 *   (SET NX with a TTL it renews), both checked in one script, so two workers never take one
 *   group and a newer job never overtakes an older one. Any other job goes back to the delayed
 *   set ("parked"), where it can still be replaced, so a burst for one pull request waits as one
 *   job. BullMQ gives delayed jobs back by due time, not by arrival, so a parked job coming back
 *   early only parks again; the worker that finishes a group's job promotes the next one. A job
 *   waiting for its retry stays its group's oldest: the group waits for it, as in MemoryQueue;
 * - coalescing: whether a job may still be replaced is ours, not BullMQ's state (BullMQ reports a
 *   job on its way back to the delayed set as "active" and refuses to remove it, so a newer event
 *   used to miss it and both ran). Each group has a hash ("jobs") of its jobs' states: the job's
 *   key while it is replaceable (listed before BullMQ has the job, so no worker can take it
 *   first), "started" once a worker took it, "replaced:<delivery>" once a newer job took its
 *   place. Taking a job (the worker's start script) and replacing it (the intake's script) each
 *   check and change that state atomically, so exactly one wins: a started job is never dropped,
 *   and a replaced one is dropped by the worker that gets it, never evaluated. BullMQ's copy of a
 *   replaced job is removed when BullMQ allows it, else the worker drops it.
 */

/** order, lock, parked, jobs: the KEYS of every group script, in this order. */
export type GroupKeys = [string, string, string, string];

/** A group's keys, named by the queue's key function. */
export function groupKeys(key: (...parts: string[]) => string, group: string): GroupKeys {
  return [key("order", group), key("lock", group), key("parked", group), key("jobs", group)];
}

export const RELEASE = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`;
/** A group key outlives no job by much: refreshed on each add and each try. */
export const GROUP_TTL_MS = 7 * 24 * 3600 * 1000;
/** States in a group's "jobs" hash besides a replaceable job's JSON. */
const STARTED = "started";
export const REPLACED = "replaced:";
/** Lua: whether hash value `v` is a replaceable job's entry (its JSON). */
const REPLACEABLE = `local function replaceable(v) return v and string.sub(v, 1, 1) == "{" end`;
/** Lua: `id` off the group's order and parked lists (KEYS[1], KEYS[3] in every group script). */
const UNLIST = `local function unlist(id) redis.call("ZREM", KEYS[1], id); redis.call("SREM", KEYS[3], id) end`;
/**
 * KEYS: order, lock, parked, jobs. ARGV: job id, its seq, lock value, lock ms.
 * "replaced:<delivery>" when a newer job took its place (it is dropped, off every list); "OK"
 * when it is its group's oldest and got the lock (from now on it cannot be replaced); else it is
 * parked and the oldest job's id is returned. The job lists itself (NX: its arrival seq) in case
 * intake's listing has not happened yet.
 */
export const ACQUIRE = `
${UNLIST}
local state = redis.call("HGET", KEYS[4], ARGV[1])
if state and string.sub(state, 1, ${REPLACED.length}) == "${REPLACED}" then
  redis.call("HDEL", KEYS[4], ARGV[1])
  unlist(ARGV[1])
  return state
end
redis.call("ZADD", KEYS[1], "NX", ARGV[2], ARGV[1])
redis.call("PEXPIRE", KEYS[1], ${GROUP_TTL_MS})
local head = redis.call("ZRANGE", KEYS[1], 0, 0)[1]
if head == ARGV[1] and redis.call("SET", KEYS[2], ARGV[3], "PX", ARGV[4], "NX") then
  redis.call("SREM", KEYS[3], ARGV[1])
  redis.call("HSET", KEYS[4], ARGV[1], "${STARTED}")
  redis.call("PEXPIRE", KEYS[4], ${GROUP_TTL_MS})
  return "OK"
end
redis.call("SADD", KEYS[3], ARGV[1])
redis.call("PEXPIRE", KEYS[3], ${GROUP_TTL_MS})
return head`;
/** KEYS: order, lock, parked, jobs. ARGV: job id, lock value. The job is done: off every list, unlocked. */
export const FINISH = `
${UNLIST}
unlist(ARGV[1])
redis.call("HDEL", KEYS[4], ARGV[1])
if redis.call("GET", KEYS[2]) == ARGV[2] then redis.call("DEL", KEYS[2]) end
return 1`;
/**
 * KEYS: order, lock, parked. The group's oldest job when it is parked and the group is free
 * (taken off the parked set: its promoter, or itself, moves it back to waiting), else nil.
 */
export const WAKE = `
local head = redis.call("ZRANGE", KEYS[1], 0, 0)[1]
if head and redis.call("EXISTS", KEYS[2]) == 0 and redis.call("SREM", KEYS[3], head) == 1 then
  return head
end
return false`;
export const RENEW = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) else return 0 end`;
/**
 * KEYS: order, lock, parked, jobs. ARGV: job id, seq. Lists a job BullMQ now has in its group's
 * order, unless it was replaced meanwhile. Returns its state (nil: not coalescible, or started
 * and finished already).
 */
export const LIST = `
local state = redis.call("HGET", KEYS[4], ARGV[1])
if state and string.sub(state, 1, ${REPLACED.length}) == "${REPLACED}" then return state end
redis.call("ZADD", KEYS[1], "NX", ARGV[2], ARGV[1])
redis.call("PEXPIRE", KEYS[1], ${GROUP_TTL_MS})
return state`;
/**
 * KEYS: order, lock, parked, jobs, the cover's BullMQ job. ARGV: job id, cover's job id, cover's
 * delivery id. Drops the job for the cover, if both are still replaceable: "OK"; "KEPT" when the
 * job no longer is (it runs, or was replaced); "AGAIN" when the cover no longer is (or its BullMQ
 * job is gone: it is then unlisted).
 */
export const DROP_FOR = `
${REPLACEABLE}
${UNLIST}
if not replaceable(redis.call("HGET", KEYS[4], ARGV[1])) then return "KEPT" end
if not replaceable(redis.call("HGET", KEYS[4], ARGV[2])) then return "AGAIN" end
if redis.call("EXISTS", KEYS[5]) == 0 then
  redis.call("HDEL", KEYS[4], ARGV[2])
  unlist(ARGV[2])
  return "AGAIN"
end
redis.call("HSET", KEYS[4], ARGV[1], "${REPLACED}" .. ARGV[3])
unlist(ARGV[1])
return "OK"`;
/**
 * KEYS: order, lock, parked, jobs. ARGV: job id, its delivery id, job ids it supersedes. Marks
 * those still replaceable replaced by this job, if this job still is replaceable itself (a job
 * that started may have read GitHub before their events). Returns the ids replaced.
 */
export const REPLACE = `
${REPLACEABLE}
${UNLIST}
local out = {}
if not replaceable(redis.call("HGET", KEYS[4], ARGV[1])) then return out end
for i = 3, #ARGV do
  if replaceable(redis.call("HGET", KEYS[4], ARGV[i])) then
    redis.call("HSET", KEYS[4], ARGV[i], "${REPLACED}" .. ARGV[2])
    unlist(ARGV[i])
    out[#out + 1] = ARGV[i]
  end
end
return out`;
