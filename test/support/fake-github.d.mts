/** Types for fake-github.mjs (an in-memory GitHub REST API for e2e tests and load scripts). */

export function gitObjectId(type: "blob" | "tree" | "commit", bytes: Uint8Array): string;
export function blobSha(content: string | Uint8Array): string;

export type FileSpec =
  | string
  | Uint8Array
  | null
  | { symlink: string }
  | { submodule: string }
  | { content: string | Uint8Array; mode?: "100644" | "100755" };

export interface RequestLogEntry {
  method: string;
  /** Without the /api/v3 prefix and without the query. */
  path: string;
  query: Record<string, string>;
  /** Sent with the GitHub Enterprise Server layout (/api/v3 prefix). */
  enterprise: boolean;
  status: number;
  body?: unknown;
  /** A check-run mutation's aliases GitHub carried out (a field with data). */
  carried?: string[];
}

export interface FakeAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
  raw_details?: string;
}

export interface FakeCheckRun {
  id: number;
  repo: FakeRepo;
  /** The app that created it (the fake's own app id unless addCheckRun said otherwise). */
  appId: number;
  details_url: string | null;
  suiteId: number;
  name: string;
  head_sha: string;
  external_id: string;
  status: "queued" | "in_progress" | "completed";
  conclusion: string | null;
  started_at: string;
  completed_at: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  /** Every annotation ever sent, in order (GitHub appends on each update). */
  annotations: FakeAnnotation[];
  actions: Array<{ label: string; description: string; identifier: string }>;
  /** Status and conclusion after each create/update request. */
  history: Array<{ status: string; conclusion: string | null }>;
}

export interface FakePullRequestSpec {
  number?: number;
  /** Branch of this repository. */
  base: string;
  /** Head commit sha. */
  head: string;
  headRef?: string;
  /** The fork the PR comes from (default: this repository). */
  headRepo?: FakeRepo;
  title?: string;
  /** Login of the author (default "octocat"). */
  user?: string;
}

export interface FakeReviewSpec {
  /** Null: a deleted account. */
  user: string | null;
  /** REST state: APPROVED, CHANGES_REQUESTED, COMMENTED. */
  state: string;
  /** Default: the PR's current head; null: GitHub lost the commit. */
  commitId?: string | null;
  /** Default: now (UTC, whole seconds, as GitHub writes times). */
  submittedAt?: string;
}

export class FakeRepo {
  readonly owner: string;
  readonly name: string;
  readonly id: number;
  readonly fullName: string;
  readonly defaultBranch: string;
  /** branch → its protection rule's required checks; null: protected, no checks shown. */
  protection: Map<string, Array<{ context: string; app_id: number | null }> | null>;
  /** Rulesets requiring status checks on the named branches (REST lists only active ones). */
  rulesets: Array<{
    id: number;
    branches: string[];
    checks: Array<{ context: string; integration_id?: number }>;
    enforcement?: "active" | "evaluate" | "disabled";
    /** The organization that set it (REST: `ruleset_source_type` "Organization"). */
    organization?: string;
  }>;
  /**
   * What GraphQL's `Ref.rules` shows: the active rulesets' rules (default), all with their
   * enforcement, an empty list, or each rule without its ruleset.
   */
  graphqlRules: "active" | "all" | "hidden" | "unseen";
  /** When set, `GET /rules/branches/…` answers this HTTP status. */
  rulesStatus: number | null;
  /** Issues (not pull requests) of the repository. */
  issues: FakeIssue[];
  /** When set, the issue endpoints answer this HTTP status (403: no `issues: write`). */
  issuesStatus: number | null;
  addIssue(spec: {
    title: string;
    body?: string;
    user?: string;
    type?: "User" | "Bot";
    /** The app the issue was opened through (performed_via_github_app), if any. */
    app?: number | null;
  }): FakeIssue;
  readonly branches: Map<string, string>;
  commit(spec: {
    branch?: string;
    parent?: string;
    files?: Record<string, FileSpec>;
    message?: string;
    /** Login the author email is linked to (default "octocat"); null: linked to no account. */
    author?: string | null;
    /** Default: the author. */
    committer?: string | null;
    /** Author and committer date (ISO 8601; default 2023-11-14T22:13:20Z). */
    date?: string;
    /** When the branch move is recorded in the repository's activity (default now). */
    pushedAt?: string;
  }): string;
  /**
   * Merges like the merge button (a merge commit, or a squash commit) at `at` by `by`; the PR's
   * commits and files stay what they were. Returns the new base tip.
   */
  /** branch → merge queue entries, in order. */
  readonly mergeQueues: Map<string, FakeQueueEntry[]>;
  /** Queues the pull request (a group commit on the last entry or the base tip); see the .mjs. */
  enqueue(
    number: number,
    opts?: { files?: Record<string, string | null>; squash?: boolean },
  ): FakeQueueEntry;
  dequeue(number: number): void;
  mergePullRequest(
    number: number,
    opts?: { by?: string; at?: string; method?: "merge" | "squash" },
  ): string;
  openPullRequest(spec: FakePullRequestSpec): number;
  /** A submitted review; returns its id. */
  review(number: number, spec: FakeReviewSpec): number;
  /** The review becomes DISMISSED; a `review_dismissed` issue event keeps its former state. */
  dismissReview(number: number, id: number, opts?: { at?: string }): void;
  /**
   * Changes the pull request's base branch with a `base_ref_changed` issue event (or GitHub's own
   * `automatic_base_change_succeeded`), at `at` (default now). Returns the event time.
   */
  retarget(number: number, base: string, opts?: { automatic?: boolean; at?: string }): string;
  /**
   * The pull request's state itself (tests may change its base without an event, or its
   * `updatedAt`: the list's sort key, an ISO time in whole seconds).
   */
  pull(number: number): {
    number: number;
    state: string;
    base: string;
    headSha: string;
    updatedAt?: string;
  };
  /** Every pull request by number (a test may delete one it made). */
  pulls: Map<number, ReturnType<FakeRepo["pull"]>>;
  /** The pull request's issue events as `GET /issues/{n}/events` lists them. */
  eventsJSON(number: number): Array<Record<string, unknown>>;
  /** The review as REST shows it, or (webhook) as a pull_request_review payload does. */
  reviewJSON(number: number, id: number, opts?: { webhook?: boolean }): Record<string, unknown>;
  /** An issue comment on the pull request. */
  comment(number: number, spec: { user: string; body: string }): void;
  /** The PR's commits, oldest first. */
  pullCommitShas(number: number): string[];
  /** The user's repository role (role_name); users without one get 404. */
  setRole(login: string, role: string): void;
  pushToPullRequest(number: number, head: string): void;
  closePullRequest(number: number): void;
  /** The PR's files as GitHub lists them (uncapped). */
  pullFiles(
    number: number,
  ): Array<{ filename: string; status: string; sha: string; previous_filename?: string }>;
  toJSON(): Record<string, unknown> & { id: number; full_name: string };
  pullJSON(number: number): Record<string, unknown> & {
    number: number;
    head: { sha: string; ref: string };
    base: { sha: string; ref: string };
    html_url: string;
  };
}

export interface FakeGitHubOptions {
  appId: number | string;
  /** PEM of the app's private key; JWTs must verify against its public key. */
  privateKey: string;
  installationId?: number;
  /** Schema check for check-run bodies; errors are answered with HTTP 422. */
  validateCheckRun?: (kind: "checks/create" | "checks/update", body: unknown) => string[];
  /** Tree listings longer than this come back `truncated: true` (GitHub: 100,000). */
  treeEntryLimit?: number;
}

export class FakeGitHub {
  constructor(opts: FakeGitHubOptions);
  readonly installationId: number;
  readonly checkRuns: FakeCheckRun[];
  /** Tokens the API accepts (installation tokens are added as they are issued). */
  readonly tokens: Set<string>;
  requests: RequestLogEntry[];
  /** What failNext queued (a test may take its own entries out again). */
  failures: Array<{ path: RegExp }>;
  /** "127.0.0.1:PORT", for GHE_HOST (with GHE_PROTOCOL=http). */
  readonly host: string;
  /** Base URL of the REST API (GitHub Enterprise Server layout). */
  readonly apiUrl: string;
  readonly port: number;
  start(): Promise<this>;
  stop(): Promise<void>;
  createRepo(
    owner: string,
    name: string,
    opts?: { defaultBranch?: string; fork?: boolean },
  ): FakeRepo;
  repo(owner: string, name: string): FakeRepo;
  /**
   * The next `times` requests matching method, path and every given `query` parameter are
   * answered with `status` and `{ message }` plus `headers`; with `body`, with that raw text
   * labelled as JSON instead (a malformed answer). `match` narrows it by the logged request.
   */
  failNext(f: {
    method: string;
    path: RegExp;
    query?: Record<string, string>;
    match?: (request: RequestLogEntry) => boolean;
    status?: number;
    times?: number;
    message?: string;
    headers?: Record<string, string>;
    body?: string;
  }): void;
  clearRequests(): void;
  /**
   * The next HTTP request matching method and path (tested without the enterprise prefix) waits
   * until release() before it is carried out; `reached` resolves once it waits.
   */
  holdNext(h: {
    method: string;
    path: RegExp;
    /** Also tested against the request body's text. */
    body?: RegExp;
  }): { reached: Promise<void>; release(): void };
  /**
   * The account id of a login, a new account's when first named (`claim: false`: null for a login
   * a rename freed).
   */
  accountId(login: string, opts?: { claim?: boolean }): number;
  /** Renames an account: its reviews, pull requests, commits, emails, teams follow; the old login is freed. */
  renameUser(from: string, to: string): void;
  /** Team membership state; null removes it (404, not a member). */
  setTeamMembership(
    org: string,
    team: string,
    login: string,
    state: "active" | "pending" | null,
  ): void;
  /** A completed check run created directly; by another app when `appId` is not the fake's. */
  addCheckRun(
    repo: FakeRepo,
    run: {
      appId?: number;
      name: string;
      head_sha: string;
      external_id?: string;
      /** null: still in progress. */
      conclusion?: string | null;
      started_at?: string;
      completed_at?: string;
      title?: string;
    },
  ): FakeCheckRun;
  /** The run as the API and check_run webhooks show it. */
  runJSON(run: FakeCheckRun): Record<string, unknown> & { id: number; external_id: string };
  /** Another installation of the app: its webhooks carry this payload, tokens are issued for it. */
  addInstallation(id: number): { id: number; node_id: string };
  /** The `installation` of a webhook (default: the first installation). */
  installationPayload(id?: number): { id: number; node_id: string };
  /**
   * Answers one request without the network (the HTTP server uses it; nock tests can too).
   * `url` is absolute; `body` is the raw text or an already parsed JSON value.
   */
  dispatch(req: {
    method: string;
    url: string;
    headers?: Record<string, string | string[] | undefined>;
    body?: unknown;
  }): { status: number; headers: Record<string, string>; body: string | Uint8Array };
  /**
   * Links a commit email to an account (GitHub's noreply addresses resolve by themselves); null:
   * to none, even a noreply address (a renamed account's login-based one).
   */
  linkEmail(email: string, login: string | null): void;
  /** GraphQL blob text longer than this many bytes comes back cut, with isTruncated (512,000). */
  graphqlTextLimit: number;
  /** `GET /git/blobs/{sha}` answers these bytes for that id from now on. */
  corruptBlob(sha: string, content: string | Uint8Array): void;
  /** Alters the next `times` (default 1) GraphQL answers (base-directory and schema-run queries). */
  graphqlFault(fault: GraphqlFault): void;
  /** A createCheckRun input as the REST create body it stands for, with its repository. */
  restCreateOf(input: unknown): { repo: FakeRepo; body: Record<string, unknown> };
  restUpdateOf(input: unknown): { repo: FakeRepo; id: number; body: Record<string, unknown> };
}

export type GraphqlFault = {
  times?: number;
  /**
   * For the queries run against GitHub's schema (the git-object gather) instead of the fixed
   * base-directory query.
   */
  executed?: boolean;
  /** Only queries of this repository ("owner/name"; executed queries only). */
  repo?: string;
  /** Only queries of this operation name (executed queries only). */
  operation?: string;
  /** Runs once the answer is made: what changes on GitHub right after it (executed queries). */
  afterAnswer?: () => void;
} & (
  | Record<never, never>
  | { error: string }
  /** The answer's data, with this error message beside it (executed queries only). */
  | {
      partial: string;
      /** Where the error lies (response keys: aliases), as GitHub says of a field's error. */
      path?: Array<string | number>;
    }
  /**
   * A field GitHub could not resolve (executed queries only): it is null in the data, and an
   * error names its path, as GitHub answers. `files` of a pull request, `associatedPullRequests`
   * of a commit, `rules` of the pull request's base ref, `pullRequests` of the repository.
   */
  | { fieldError: "files" | "associatedPullRequests" | "rules" | "pullRequests" }
  /**
   * The check-run mutation's `createCheckRun` fields whose run name matches fail alone (an error
   * at their alias, the others carried out).
   */
  | { createError: RegExp }
  /** Runs before each createCheckRun field, with its run's name (another process writing). */
  | { beforeCreate: (name: string) => void }
  /** The same for the completion mutation's `updateCheckRun` fields (by the run's name). */
  | { updateError: RegExp }
  /** Runs before each updateCheckRun field, with its run's name. */
  | { beforeUpdate: (name: string) => void }
  | {
      /** Entries whose name matches. */
      entry: RegExp;
      drop?: boolean;
      /** Half the text, isTruncated: true. */
      truncate?: boolean;
      /** No text, isBinary: true. */
      binary?: boolean;
      /** Listed under this blob id instead. */
      oid?: string;
      /** Listed under this name instead (executed queries only). */
      name?: string;
      text?: string;
    }
  | {
      /** Blobs (queried by id) whose id starts with this. */
      blob: string;
      truncate?: boolean;
      binary?: boolean;
      text?: string;
    }
);

export interface FakeQueueEntry {
  number: number;
  baseSha: string;
  headSha: string;
  state: string;
  /** The `merge_group` object of a checks_requested event for this entry. */
  payload: {
    head_sha: string;
    head_ref: string;
    base_sha: string;
    base_ref: string;
    head_commit: { id: string; tree_id: string };
  };
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  state: string;
  user: string;
  type: "User" | "Bot";
  app: number | null;
}
