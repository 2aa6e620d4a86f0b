/**
 * The dialect-neutral statement model: what the rules need to know about each statement, filled
 * in by the per-dialect parsers (src/core/sql/parse/). A rule reads this model, so most rules are
 * one small file that works for Postgres, MySQL and SQLite alike; the raw AST stays reachable on
 * the parsed statement for dialect-specific detail.
 *
 * Offsets (`Span`) are string indexes into the whole file, computed from the splitter's statement
 * offsets, never from a parser's idea of lines.
 *
 * A little over 500 lines: it is one set of types every parser fills and every rule reads, each
 * field documented where it is declared; split, a reader would have to look in several places.
 */

/** A range of the file, end exclusive. */
export interface Span {
  start: number;
  end: number;
}

/**
 * A table, index, schema… name as the database resolves it: Postgres folds unquoted names to
 * lower case (the parser already did), MySQL and SQLite compare case-insensitively here.
 */
export interface ObjectName {
  schema?: string;
  name: string;
}

/** How a column default behaves when a column is added to a populated table. */
export interface DefaultExpr {
  /** The default as written. */
  text: string;
  /** `constant`: a literal or cast; `stable`: evaluated once (now()); `volatile`: per row. */
  volatility: "constant" | "stable" | "volatile";
  /** Functions that made it volatile (known volatile ones and unknown ones, which count as volatile). */
  volatileFunctions: string[];
  /** True for a literal NULL default, which is the same as no default. */
  isNull: boolean;
}

/**
 * Postgres: a type as the server resolves its name. `int`, `integer` and `int4` are all `int4`;
 * `char(n)` is `bpchar`, `timestamp` is `timestamp` (`timestamptz` with time zone). `schema` only
 * when written (`pg_catalog.int4`, `public.money_t`); an unqualified built-in name resolves to
 * pg_catalog, which leads the search_path.
 */
export interface PgType {
  schema?: string;
  name: string;
  /** Type modifiers as written (`varchar(255)`: ["255"]). */
  mods: string[];
  array: boolean;
  /** File offset where the type is written. */
  at?: number;
}

export interface ColumnDef {
  name: string;
  /** The type as written (e.g. `varchar(255)`), for messages. */
  dataType: string;
  /** Postgres: the resolved type name (style rules). */
  pgType?: PgType;
  notNull: boolean;
  default?: DefaultExpr;
  primaryKey: boolean;
  unique: boolean;
  check: boolean;
  /** Inline REFERENCES. */
  references?: ObjectName;
  /** Its ON DELETE action, when written (upper case: `CASCADE`, `SET NULL`…). */
  onDelete?: string;
  /** GENERATED … AS IDENTITY, serial types and AUTO_INCREMENT fill existing rows themselves. */
  generated?: "identity" | "stored" | "virtual" | "serial" | "auto-increment";
  /** NULL written out (MySQL: a TIMESTAMP column without it may be NOT NULL by server setting). */
  explicitNull?: true;
  /** MySQL attributes a MODIFY/CHANGE drops unless restated, as written. */
  onUpdate?: string;
  comment?: string;
  charset?: string;
  collation?: string;
  /** MySQL FIRST / AFTER c: placed before the last column (not instant before MySQL 8.0.29). */
  positioned?: boolean;
  /** MySQL AFTER c: the column named (lower case); absent for FIRST. */
  after?: string;
}

export type ConstraintKind =
  "primary-key" | "unique" | "foreign-key" | "check" | "exclusion" | "not-null" | "other";

export interface ConstraintDef {
  kind: ConstraintKind;
  name?: string;
  /** Postgres NOT VALID: existing rows are not checked now. */
  notValid: boolean;
  /** Postgres … USING INDEX: built from an existing (concurrently built) index. */
  usingIndex: boolean;
  /** MySQL NOT ENFORCED. */
  notEnforced: boolean;
  columns: string[];
  references?: ObjectName;
  /** Foreign keys: the ON DELETE action, when written (upper case: `CASCADE`, `SET NULL`…). */
  onDelete?: string;
  /** For CHECK (col IS NOT NULL): the column, which lets a later SET NOT NULL skip the scan. */
  notNullColumn?: string;
  /** CHECK: the columns its expression reads (absent when the parser does not say). */
  exprColumns?: string[];
}

export type AlterAction = (
  | { type: "add-column"; column: ColumnDef; ifNotExists?: boolean }
  | { type: "drop-column"; column: string; cascade: boolean; ifExists?: true }
  /** ALTER COLUMN … TYPE (Postgres), MODIFY / CHANGE (MySQL, which also restate the definition). */
  | {
      type: "alter-column-type";
      column: string;
      dataType: string;
      using: boolean;
      /** MySQL MODIFY/CHANGE: the full new definition (NOT NULL, default…). */
      definition?: ColumnDef;
      /** Postgres: the resolved new type. */
      pgType?: PgType;
      syntax: "alter-type" | "modify" | "change";
    }
  | { type: "set-not-null"; column: string }
  | { type: "drop-not-null"; column: string }
  | { type: "set-default"; column: string; default: DefaultExpr }
  | { type: "drop-default"; column: string }
  | { type: "add-constraint"; constraint: ConstraintDef }
  | { type: "validate-constraint"; name: string }
  | { type: "drop-constraint"; name: string; cascade: boolean; ifExists?: true }
  | { type: "rename-column"; from: string; to: string }
  | { type: "rename-table"; to: ObjectName }
  | { type: "rename-constraint"; from: string; to: string }
  /** Postgres DETACH PARTITION (CONCURRENTLY since 14; FINALIZE completes an interrupted one). */
  | { type: "detach-partition"; partition: ObjectName; concurrently: boolean }
  /**
   * Postgres SET LOGGED / SET UNLOGGED / SET TABLESPACE / SET ACCESS METHOD: the table is copied
   * or rewritten under ACCESS EXCLUSIVE; `value` names the tablespace or access method (empty:
   * the default).
   */
  | {
      type: "set-storage";
      storage: "logged" | "unlogged" | "tablespace" | "access-method";
      value?: string;
    }
  /**
   * Anything else (SET STATISTICS, ENABLE TRIGGER, ENGINE=…); `detail` names it for messages.
   * MySQL table options and index actions also carry `option`, the keyword(s) naming them
   * (`ENGINE`, `CONVERT`, `ADD FULLTEXT INDEX`…, upper case) and its `value` when it has one
   * (`ENGINE=InnoDB` → `INNODB`), for the online DDL rules. Postgres: `ENABLE TRIGGER` and
   * `DISABLE TRIGGER` (value: the trigger, `ALL` or `USER`), `ENABLE REPLICA TRIGGER` / `ENABLE ALWAYS TRIGGER` (value:
   * the trigger), `DISABLE RULE` (value: the rule), `REPLICA IDENTITY` (value: `DEFAULT`,
   * `FULL`, `NOTHING` or `USING INDEX`), `ROW LEVEL SECURITY` (value: `ENABLE`, `DISABLE`,
   * `FORCE` or `NO FORCE`), `SET` and `RESET` (value: the parameter names; see
   * `settings`).
   */
  | {
      type: "other";
      detail: string;
      option?: string;
      value?: string;
      /**
       * Postgres `SET (name = value, …)` / `RESET (name, …)` storage parameters, names lower
       * case as written (`toast.autovacuum_enabled`), values as written (null: no value, which
       * in SET means true).
       */
      settings?: Array<{ name: string; value: string | null }>;
      /**
       * Postgres `ALTER COLUMN c ADD GENERATED … AS IDENTITY | SET GENERATED … | RESTART | SET
       * INCREMENT BY … | DROP IDENTITY`: the column and the changes, as keywords.
       */
      identity?: { column: string; changes: string[] };
      /** MySQL `ADD INDEX|KEY (…)` (not FULLTEXT/SPATIAL): how many key parts. */
      keyParts?: number;
      /** Postgres `OWNER TO role` of a table: the role, null for CURRENT_USER and the like. */
      owner?: string | null;
    }
) & {
  /** Where the action is written; the whole statement when the parser cannot tell. */
  span: Span;
};

export interface RenamedObject {
  objectType: string;
  name: ObjectName;
  table?: ObjectName;
  part?: string;
  to: string;
}

export type TransactionAction =
  "begin" | "commit" | "rollback" | "savepoint" | "release" | "rollback-to" | "prepare" | "other";

export type DropObjectType =
  | "table"
  | "view"
  | "materialized-view"
  | "index"
  | "schema"
  | "database"
  | "sequence"
  | "type"
  | "function"
  | "procedure"
  | "trigger"
  | "extension"
  /** DROP OWNED BY role: everything the role owns in the database. */
  | "owned"
  | "other";

export type StatementModel = (
  | {
      kind: "create-table";
      table: ObjectName;
      ifNotExists: boolean;
      temporary: boolean;
      columns: ColumnDef[];
      constraints: ConstraintDef[];
      /** CREATE TABLE … AS SELECT. */
      asQuery: boolean;
      /** MariaDB CREATE OR REPLACE TABLE: drops an existing table of the name first. */
      orReplace?: true;
      /** Postgres CREATE UNLOGGED TABLE: emptied by crash recovery, empty on replicas. */
      unlogged?: true;
      /** Postgres `PARTITION BY …`: a partitioned table (its rows live in its partitions). */
      partitioned?: true;
      /** Postgres `WITH (name = value, …)` storage parameters, as in ALTER TABLE … SET (…). */
      settings?: Array<{ name: string; value: string | null }>;
      /**
       * Its columns come from elsewhere, so `columns` is not the table's full column list in
       * order: Postgres `PARTITION OF` (keys too), `LIKE`, `INHERITS`, `OF type`; MySQL
       * `CREATE TABLE t LIKE s` (keys too).
       */
      derived?: "partition-of" | "like" | "inherits" | "of-type";
      /** MySQL plain `INDEX|KEY [name] (…)` elements (not UNIQUE/FULLTEXT/SPATIAL): key parts. */
      indexes?: Array<{ name?: string; keyParts: number; span: Span }>;
    }
  | {
      kind: "alter-table";
      table: ObjectName;
      actions: AlterAction[];
      /** MySQL/MariaDB `ALTER IGNORE TABLE`: rows that violate a new unique key are deleted. */
      ignore?: boolean;
      /** MySQL/MariaDB `ALGORITHM=…` / `LOCK=…` clauses, upper case (the last one of each wins). */
      algorithm?: string;
      lock?: string;
    }
  | {
      kind: "create-index";
      name?: ObjectName;
      table: ObjectName;
      unique: boolean;
      concurrently: boolean;
      ifNotExists: boolean;
      /**
       * Postgres: the key columns in order, null for an expression element (it ends the prefix a
       * lookup can use); absent when the parser does not say. `partial`: it has a WHERE clause.
       */
      columns?: Array<string | null>;
      /** How many key parts (columns or expressions; not INCLUDE columns), every dialect. */
      keyParts?: number;
      /** Postgres `USING method`, lower case (absent: btree). */
      method?: string;
      partial?: boolean;
      /** Postgres `ON ONLY t`: the index of a partitioned table alone, not of its partitions. */
      only?: true;
    }
  | {
      kind: "drop";
      objectType: DropObjectType;
      /** The keyword as written (`TABLE`, `MATERIALIZED VIEW`…), for messages. */
      objectLabel: string;
      names: ObjectName[];
      cascade: boolean;
      concurrently: boolean;
      ifExists: boolean;
      /** MySQL DROP INDEX i ON t. */
      table?: ObjectName;
      /** ClickHouse DETACH: the object is gone from the server, its data left on disk. */
      detach?: "permanently" | "until-restart";
    }
  | { kind: "truncate"; tables: ObjectName[]; cascade: boolean }
  | {
      kind: "delete" | "update";
      table: ObjectName | null;
      hasWhere: boolean;
      /**
       * Why the WHERE clause (or MERGE condition) still matches every row: a constant-true
       * condition (`WHERE 1 = 1`, `OR true`), a comparison of a column with itself, or a
       * condition that does not refer to the table's rows at all (all of them or none).
       */
      matchesAll?: string;
      /**
       * Postgres UPDATE … FROM whose WHERE only joins the row to the FROM items (the join
       * conditions, as `o.customer_id = c.id`): every row with a partner is rewritten.
       */
      joinOnly?: string;
      /**
       * The WHERE clause holds for every row where all columns of one of these sets are non-NULL
       * (`id IS NOT NULL`): every row when they are NOT NULL, which the schema tells.
       */
      nonNullOnly?: string[][];
    }
  | { kind: "rename-tables"; renames: Array<{ from: ObjectName; to: ObjectName }> }
  | { kind: "transaction"; action: TransactionAction }
  | {
      kind: "set";
      /** Lower-cased setting name (`lock_timeout`). */
      name: string;
      /** The value as written, null for RESET / SET … TO DEFAULT. */
      value: string | null;
      scope: "session" | "local" | "global";
    }
  | {
      kind: "grant";
      revoke: boolean;
      /** `privileges` on objects, or membership in a `role`. */
      target: "privileges" | "role";
      privileges: string[];
      grantees: string[];
      withGrantOption: boolean;
      /**
       * Privileges `ON [TABLE] t, …` of named tables (or views): those tables; absent for
       * anything else (a schema, ALL TABLES IN SCHEMA, `db.*`, a routine, a role).
       */
      tables?: ObjectName[];
      /**
       * ALTER DEFAULT PRIVILEGES … GRANT|REVOKE: the class of objects created later whose
       * grants change (`tables`, `sequences`, …); existing objects keep theirs.
       */
      defaults?: string;
    }
  | { kind: "vacuum"; full: boolean; tables: ObjectName[] }
  | { kind: "cluster"; table: ObjectName | null }
  | {
      kind: "reindex";
      concurrently: boolean;
      /** REINDEX INDEX/TABLE name, SCHEMA/DATABASE name, or SYSTEM. */
      target: "index" | "table" | "schema" | "database" | "system";
      name?: ObjectName;
    }
  /** Postgres ALTER DOMAIN: what checks the rows of every column of the domain. */
  | {
      kind: "alter-domain";
      name: ObjectName;
      action: "add-constraint" | "set-not-null" | "validate-constraint" | "other";
      /** ADD CONSTRAINT … NOT VALID. */
      notValid: boolean;
    }
  /** Postgres ALTER TYPE … ADD VALUE / RENAME VALUE of an enum. */
  | {
      kind: "alter-enum";
      name: ObjectName;
      action: "add-value" | "rename-value";
      /** The value added, or the new name. */
      value: string;
      ifNotExists: boolean;
      /** ADD VALUE … BEFORE/AFTER 'v': where it goes in the sort order (absent: at the end). */
      neighbor?: { value: string; after: boolean };
    }
  | { kind: "create-schema"; name: string; ifNotExists?: boolean }
  | {
      kind: "create-other";
      objectType: string;
      name?: ObjectName;
      /** CREATE TRIGGER: the table and what fires (Postgres names a function, MySQL has a body). */
      trigger?: TriggerDef;
      /** Postgres CREATE DOMAIN: its base type. */
      domainType?: PgType;
      /** Postgres CREATE TYPE … AS ENUM: its labels, in order. */
      enumLabels?: string[];
      /** CREATE OR REPLACE VIEW: may redefine a view that already exists (and what reads it). */
      orReplace?: true;
    }
  /** CREATE FUNCTION/PROCEDURE (and MySQL events, whose body runs on a schedule). */
  | {
      kind: "create-routine";
      routineType: "function" | "procedure" | "event";
      name: ObjectName;
      /** What running the body does, when it can be read. */
      body: Effects;
      /** CREATE OR REPLACE: may change a routine that already exists (and whatever uses it). */
      orReplace?: boolean;
      /** Postgres `RETURNS trigger`: what the body does to the row it is given. */
      rowEffect?: TriggerRowEffect;
      /** Postgres `SET name = value` clauses: set for each call (lower-case names; null: DEFAULT). */
      settings?: Array<{ name: string; value: string | null }>;
    }
  /** PREPARE name AS/FROM …: the statement is in `effects.embedded`. */
  | { kind: "prepare"; name: string; dynamic: boolean }
  /** EXECUTE name: runs a prepared statement. */
  | { kind: "execute"; name: string }
  /** DEALLOCATE name, or every prepared statement (null). */
  | { kind: "deallocate"; name: string | null }
  /** Anything the rules have no use for yet (INSERT, SELECT, COMMENT ON, CREATE FUNCTION…). */
  | {
      kind: "other";
      tag: string;
      /** Postgres `ALTER INDEX i RENAME TO j`: the index and its new name. */
      renamedIndex?: { from: ObjectName; to: string };
      /** Postgres `ALTER SCHEMA s RENAME TO t`: every table in it moves to the new name. */
      renamedSchema?: { from: string; to: string };
      /**
       * Postgres `ALTER VIEW|FUNCTION|TYPE|SEQUENCE|TRIGGER … RENAME TO`, `RENAME COLUMN` of a view
       * or foreign table, `ALTER TYPE … RENAME ATTRIBUTE`: the object (for a trigger, policy or
       * rule: its name, with `table`), `part` the column or attribute renamed, `to` the new
       * name; `objectType` the keyword as written (`MATERIALIZED VIEW`). Tables, their columns
       * and constraints, schemas and indexes have their own fields.
       */
      renamedObject?: RenamedObject;
      /**
       * Postgres `ALTER ROLE|USER|GROUP … [WITH] options` and `ALTER ROLE … SET|RESET`, MySQL
       * `ALTER USER`: the roles (`ALL`: every role; MySQL `user@host`, lower case) and the
       * options as keywords (`SUPERUSER`, `NOLOGIN`, `PASSWORD`, `CONNECTION LIMIT`, `VALID
       * UNTIL`, `SET search_path`; MySQL `REQUIRE`, `ACCOUNT`, `WITH`…).
       */
      alteredRole?: { names: string[]; options: string[] };
      /**
       * Postgres `ALTER FUNCTION|PROCEDURE|ROUTINE … options`, `ALTER VIEW … SET|RESET (…)`,
       * `ALTER DATABASE … SET|RESET|WITH …`, `ALTER SYSTEM SET|RESET`, `ALTER EXTENSION …
       * UPDATE|ADD|DROP`: the object type as keywords, the object (null for SYSTEM), the
       * options as keywords (`SECURITY DEFINER`, `SET search_path`, `RESET ALL`, `UPDATE TO
       * 2.0`, `SET (security_barrier)`), and the `settings` SET … TO gives (value null: DEFAULT).
       */
      alteredOptions?: {
        objectType: string;
        name: ObjectName | null;
        options: string[];
        settings: Array<{ name: string; value: string | null }>;
      };
      /** MySQL/MariaDB `ALTER VIEW v [(columns)] AS SELECT …`: the view is redefined. */
      redefinedView?: ObjectName;
      /** Postgres `ALTER VIEW|FUNCTION|TYPE|SEQUENCE|EXTENSION … SET SCHEMA s` (not tables). */
      movedObject?: { objectType: string; name: ObjectName; schema: string };
      /** SQLite `PRAGMA [schema.]name [= value | (value)]`: the name and value, lower case. */
      pragma?: { name: string; value: string | null };
      /**
       * Postgres `ALTER INDEX|MATERIALIZED VIEW … SET TABLESPACE` (`name`) and `ALTER … ALL IN
       * TABLESPACE … SET TABLESPACE` (no `name`): relations copied under ACCESS EXCLUSIVE.
       */
      moves?: { objects: string; name?: ObjectName; from?: string; to: string };
      /** Postgres `ALTER TYPE t DROP ATTRIBUTE / ALTER ATTRIBUTE … TYPE` of a composite type. */
      compositeType?: { name: ObjectName; drops: string[]; retypes: string[]; cascade: boolean };
      /** Postgres `CREATE [OR REPLACE] RULE … AS ON event TO table DO [ALSO|INSTEAD] …`. */
      rewriteRule?: RewriteRule;
      /** ClickHouse `OPTIMIZE TABLE t … DEDUPLICATE [BY …]`: duplicate rows are deleted. */
      deduplicate?: { table: ObjectName; by?: string };
      /**
       * Postgres `ALTER SEQUENCE s …` and `setval('s', …)`: what changes how the sequence hands
       * out values, as keywords (`RESTART`, `INCREMENT`, `MINVALUE`, `MAXVALUE`, `CYCLE`, `NO
       * CYCLE`, `OWNED BY`, `AS`, `setval()`); `name` null when setval's argument is not a constant.
       */
      sequenceChange?: { name: ObjectName | null; changes: string[] };
      /**
       * Postgres `ALTER … OWNER TO role` of anything but a table (`objectType` as written:
       * `SEQUENCE`, `FUNCTION`, `SCHEMA`…) and `REASSIGN OWNED BY … TO role` (objectType
       * `OWNED`, name null): the new owner, null for CURRENT_USER / CURRENT_ROLE / SESSION_USER.
       */
      ownerChange?: { objectType: string; name: ObjectName | null; owner: string | null };
    }
) &
  StatementFacts;

/** A statement that runs as part of another one. */
export interface Embedded {
  model: StatementModel;
  /** Where it is written in the file. */
  span: Span;
  /** How it runs, for messages: "in the WITH clause", "in the DO block", "in a MERGE action"… */
  via: string;
  /** Runs only when a condition holds (IF, CASE, a loop, an exception handler). */
  conditional: boolean;
}

/** Something that runs whose effect cannot be known from the text. */
export interface Opaque {
  span: Span;
  /** What it is, for messages ("EXECUTE of a string built at run time"). */
  what: string;
  conditional: boolean;
  /** Dynamic SQL: a piece pasted into its text unquoted (a variable, `$1`), as written. */
  unquoted?: string;
}

/** A call of a function or procedure that is not known to be harmless. */
export interface RoutineCall {
  name: ObjectName;
  span: Span;
  procedure: boolean;
  conditional: boolean;
  /** A function the server (or a common extension) provides: harmless unless the change redefines it. */
  builtin?: true;
}

/** What running a statement (or a routine's body) does beyond its own model. */
export interface Effects {
  /** Statements it runs: data-modifying CTEs, MERGE actions, DO bodies, EXECUTE 'constant'… */
  embedded: Embedded[];
  /** Parts whose effect cannot be known statically (dynamic SQL, bodies in other languages…). */
  opaque: Opaque[];
  /** Routines it calls that are neither built-in nor known harmless. */
  calls: RoutineCall[];
  /** Prepared statements it runs by name. */
  executes: Array<{ name: string; span: Span; conditional: boolean }>;
}

export const noEffects = (): Effects => ({ embedded: [], opaque: [], calls: [], executes: [] });

export function hasEffects(e: Effects | undefined): e is Effects {
  return (
    e !== undefined &&
    (e.embedded.length > 0 || e.opaque.length > 0 || e.calls.length > 0 || e.executes.length > 0)
  );
}

export interface TriggerDef {
  table: ObjectName;
  /** Postgres: the trigger function. */
  function?: ObjectName;
  /** MySQL and SQLite: the body. */
  body?: Effects;
  /** Event triggers fire on DDL rather than on a table's rows. */
  event?: boolean;
  /** Postgres: when it fires (absent: the parser does not say). */
  timing?: "before" | "after" | "instead";
  /** Postgres: the writes it fires on. */
  events?: Array<"insert" | "update" | "delete" | "truncate">;
  /** Postgres: FOR EACH ROW (rather than once per statement). */
  row?: boolean;
  constraint?: true;
  orReplace?: true;
  /** MySQL and SQLite: what the body does to the row (token-reader/trigger.ts). */
  rowEffect?: TriggerRowEffect;
}

/** A Postgres rewrite rule: every later `event` on `table` runs `actions` (instead of itself). */
export interface RewriteRule {
  name: string;
  table: ObjectName;
  event: "select" | "insert" | "update" | "delete";
  instead: boolean;
  /** The tables its actions write (INSERT/UPDATE/DELETE), for messages. */
  writes: ObjectName[];
  /** How many actions (0: DO [INSTEAD] NOTHING). */
  actions: number;
  /** WHERE: it applies to some writes only. */
  conditional: boolean;
}

/**
 * What a Postgres trigger function does to the row a BEFORE … FOR EACH ROW trigger hands it:
 * anything but `RETURN NEW` discards (NULL) or replaces the row, and an assignment to NEW changes
 * what is stored. Each entry is how it is written, for messages.
 */
export interface TriggerRowEffect {
  /** RETURN of something other than NEW (`RETURN NULL`, `RETURN OLD`, `RETURN r`). */
  returns: string[];
  /** Assignments to NEW or its fields other than a time function (`NEW.email := NULL`). */
  overwrites: string[];
  /** Why the body cannot be read (another language, EXECUTE of computed text…). */
  unreadable?: string;
}

/** Facts every statement carries, whatever its kind. */
export interface StatementFacts {
  /** Data-definition statement (MySQL commits implicitly around each one). */
  ddl: boolean;
  /**
   * Tables (or indexes, for DROP INDEX) this statement locks strongly enough to block other
   * sessions' writes or reads while it waits in the lock queue.
   */
  strongLocks: ObjectName[];
  /** Why it cannot run inside a transaction block (Postgres), e.g. "CREATE INDEX CONCURRENTLY". */
  nonTransactional?: string;
  /** Password literals written in the statement. */
  passwords: PasswordLiteral[];
  /** What else running it does (embedded statements, calls, dynamic SQL). */
  effects?: Effects;
  /** Tables whose rows it writes (fires their triggers). */
  writes?: ObjectName[];
  /** INSERT … SELECT: the tables it copies rows from. */
  reads?: ObjectName[];
  /**
   * INSERT … SELECT whose SELECT keeps only some of the rows it reads (a WHERE that filters, a
   * LIMIT, GROUP BY or HAVING): not a full copy (drop-table's copy-and-swap rebuild).
   */
  readsFiltered?: true;
  /**
   * MySQL/SQLite INSERT … SELECT: the column names its select list reads (lower case; "*" when it
   * selects every column), for drop-column's copy-and-swap rebuild that leaves a column behind.
   */
  readColumns?: string[] | "*";
  /**
   * Columns taken by position or as "every column" rather than by name, for
   * select-star-or-implicit-insert-columns. `insert`: an INSERT/REPLACE without a column list,
   * of VALUES rows or of a query's rows. `star`: `*` or `t.*` in the top-level select list (each
   * UNION arm) of the INSERT's query or of a view's.
   */
  implicitColumns?: { insert?: "values" | "query"; star?: true };
  /**
   * Identifiers the statement creates that are longer than the server keeps (Postgres: 63
   * bytes): the name as written, what the server truncates it to, and where it is written.
   */
  longNames?: LongName[];
  /**
   * Lists that assign columns by name (an INSERT's column list, UPDATE … SET, ON DUPLICATE KEY
   * UPDATE), for duplicate-column-assignment.
   */
  assignments?: ColumnAssignments[];
}

export interface ColumnAssignments {
  clause: "INSERT" | "SET" | "ON CONFLICT DO UPDATE SET" | "ON DUPLICATE KEY UPDATE";
  /**
   * In order, as the server resolves them (Postgres: case kept, the parser folded unquoted
   * names; MySQL and SQLite: lower case). `part`: a field or element of the column (`SET a[1] =
   * …`), which Postgres lets several assignments of one column share.
   */
  columns: Array<{ name: string; part?: true }>;
}

export interface LongName {
  written: string;
  truncated: string;
  bytes: number;
  span: Span;
}

export interface PasswordLiteral {
  span: Span;
  /** A stored hash (md5…, SCRAM-SHA-256$…, MySQL `AS '*…'`) rather than the password itself. */
  hashed: boolean;
  /** The clause, for messages (`PASSWORD '…'`, `IDENTIFIED BY '…'`). */
  clause: string;
}

export const noFacts = (): StatementFacts => ({ ddl: false, strongLocks: [], passwords: [] });

/** The table an added column or constraint references: it is locked too (SHARE ROW EXCLUSIVE). */
export function referencedTable(a: AlterAction): ObjectName | undefined {
  if (a.type === "add-constraint") return a.constraint.references;
  if (a.type === "add-column") return a.column.references;
  return undefined;
}

/** `schema.name` for messages. */
export function displayName(n: ObjectName): string {
  return n.schema ? `${n.schema}.${n.name}` : n.name;
}

/**
 * Same object? A missing schema matches any schema: the analysis does not know the search_path,
 * and an unqualified `users` next to `public.users` almost always means the same table.
 */
export function sameObject(a: ObjectName, b: ObjectName): boolean {
  return a.name === b.name && (!a.schema || !b.schema || a.schema === b.schema);
}
