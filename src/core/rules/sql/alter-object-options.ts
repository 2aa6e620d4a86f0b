import { displayName } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { createdInChange } from "./replace-view-or-function.js";
import { PG, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "alter-object-options",
  defaultSeverity: "notice",
  optIn: true,
  dialects: PG,
  category: "compatibility",
  description:
    "ALTER FUNCTION/PROCEDURE options (SECURITY DEFINER, SET …, volatility…), ALTER VIEW … SET/RESET (…), ALTER DATABASE … SET/WITH, ALTER SYSTEM and ALTER EXTENSION … UPDATE/ADD/DROP: behaviour every client sees changes at once, the running application and an application-only rollback included.",
  saferAlternative:
    "Check the change against the clients already deployed (or deploy compatible clients first); keep server and database settings in the server's configuration rather than in schema migrations.",
  suppressible: true,
});

const WHY: Record<string, string> = {
  VIEW: "security_barrier, security_invoker and check_option change which rows callers see through the view and which writes through it are accepted",
  DATABASE:
    "database settings apply to every new session of every client of the database (pooled sessions keep the old value until they reconnect), CONNECTION LIMIT and ALLOW_CONNECTIONS can turn clients away, and the database's name belongs to the deployment, so the statement means something else in each environment",
  SYSTEM:
    "ALTER SYSTEM writes postgresql.auto.conf: a server-wide setting for every database on the server, outside the schema, that a down migration does not undo and a fresh environment built from the migrations may not be allowed to run (it needs superuser or an ALTER SYSTEM grant)",
  EXTENSION:
    "an extension update or membership change replaces functions, types and operators every client uses, and most extensions have no path back to the old version",
};

function routineWhy(options: string[]): string {
  const parts = ["every call runs with the new options as soon as the migration commits"];
  if (options.includes("SECURITY DEFINER"))
    parts.push(
      "SECURITY DEFINER runs it with its owner's privileges (without a fixed search_path, a caller's objects can take over what it calls)",
    );
  if (options.some((o) => /^(SET|RESET) /.test(o) || o === "RESET ALL"))
    parts.push("SET/RESET change the settings each call runs with");
  if (
    options.some((o) =>
      /^(IMMUTABLE|STABLE|VOLATILE|STRICT|CALLED ON NULL INPUT|LEAKPROOF|NOT LEAKPROOF|PARALLEL )/.test(
        o,
      ),
    )
  )
    parts.push(
      "volatility, STRICT, LEAKPROOF and PARALLEL are promises the planner relies on (a wrong IMMUTABLE gives stale results from indexes and cached plans)",
    );
  return parts.join("; ");
}

/**
 * An opt-in policy (squawk's ban-alter-*-options): reported unless a plain CREATE earlier in the
 * change made the routine or view (nothing deployed uses it yet). Down files are left alone: they
 * restore the options the up changed.
 */
export const alterObjectOptions = sqlRule({
  meta,
  check(ctx, report) {
    if (ctx.direction === "down") return;
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "other" || !m.alteredOptions) continue;
      const { objectType, name, options } = m.alteredOptions;
      const routine = ["FUNCTION", "PROCEDURE", "ROUTINE"].includes(objectType);
      if (name && routine && createdInChange(ctx, a, name, "routine")) continue;
      if (name && objectType === "VIEW" && createdInChange(ctx, a, name, "view")) continue;
      const stmt = `ALTER ${objectType}${name ? ` ${displayName(name)}` : ""} ${options.join(", ")}`;
      const why = routine ? routineWhy(options) : (WHY[objectType] ?? WHY.SYSTEM!);
      report({
        ...ctx.at(a),
        message: `${stmt} changes behaviour every client of ${name ? displayName(name) : "the server"} sees at once — the running application version and an application-only rollback (which keeps the migrated database) included: ${why}.`,
        suggestion:
          objectType === "SYSTEM" || objectType === "DATABASE"
            ? "Keep server and database settings in the server's configuration (or a role's settings managed with it), reviewed for every client; if it must be a migration, check it against every client and environment."
            : "Check the change against the clients already deployed, or deploy clients that work either way first; suppress with the reason once reviewed.",
      });
    }
  },
});
