import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { sqlRule, timeoutSetting } from "./types.js";

const meta = ruleMeta({
  id: "require-lock-timeout",
  defaultSeverity: "warning",
  dialects: ["postgres", "mysql"],
  category: "locking",
  description:
    "A statement waits for a strong lock on an existing table with no lock timeout set: while it waits, every other query on the table queues behind it.",
  saferAlternative:
    "Start the file with SET lock_timeout = '5s' (MySQL: SET SESSION lock_wait_timeout = 5) and retry the migration if it times out.",
  suppressible: true,
});

export const requireLockTimeout = sqlRule({
  meta,
  check(ctx, report) {
    const setting = ctx.dialect === "mysql" ? "lock_wait_timeout" : "lock_timeout";
    let timeoutSet = false;
    for (const a of ctx.parsed) {
      const m = a.model;
      const set = timeoutSetting(ctx, a, setting);
      if (set !== undefined) {
        timeoutSet = set;
        continue;
      }
      if (timeoutSet) continue;
      // Objects this change created are not live yet; in a down file, undoing what its own up
      // created is the expected rollback (at most a notice elsewhere), so they do not count.
      const live = m.strongLocks.filter(
        (t) => ctx.origin("table", t, a.index) === null && ctx.origin("index", t, a.index) === null,
      );
      if (live.length === 0) continue;
      const names = [...new Set(live.map(displayName))].join(", ");
      report({
        ...ctx.at(a),
        message:
          ctx.dialect === "mysql"
            ? `This statement needs an exclusive metadata lock on ${names} and no lock_wait_timeout is set (MySQL's default is one year): behind a long-running query it waits, and every later query on the table waits behind it.`
            : `This statement needs a lock on ${names} that conflicts with normal traffic, and no lock_timeout is set earlier in the file: if another transaction holds a conflicting lock, it waits indefinitely and every query on the table queues behind it.`,
      });
      return; // one SET at the top fixes the whole file: report the first statement only
    }
  },
});
