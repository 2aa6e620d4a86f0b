// A small in-memory GitHub REST API for end-to-end tests and load scripts (plain ESM so jest and
// node scripts can both import it). It serves the endpoints migration-warden uses, at both the
// api.github.com layout and the GitHub Enterprise Server layout (`/api/v3` prefix), with real git
// object ids, installation tokens checked against the app's JWT, check runs whose annotations
// append like GitHub's, and a log of every request. One module on purpose, though long: every
// endpoint reads and writes the same in-memory repositories, and one file keeps that state private.
import { Buffer } from "node:buffer";
import { createHash, createPublicKey, createVerify, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { URLSearchParams } from "node:url";
import githubGraphql from "./shared/github-graphql.mjs";

const ENTERPRISE_PREFIX = "/api/v3";
const MAX_LISTED_FILES = 3000;
const MAX_LISTED_COMMITS = 250;
const DEFAULT_LOGIN = "octocat";
/** The fake app's slug (`GET /apps/{slug}`); other apps' runs show `app-<id>`. */
const APP_SLUG = "migration-warden";
/** Default `updated_at` of pull requests. */
const REVIEW_EPOCH = Date.parse("2024-05-01T10:00:00Z");

/** Now, as GitHub writes times: UTC, whole seconds. */
function nowSeconds() {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Git object id of `type` with `bytes`, exactly as git computes it. */
export function gitObjectId(type, bytes) {
  return createHash("sha1").update(`${type} ${bytes.length}\0`).update(bytes).digest("hex");
}

export function blobSha(content) {
  return gitObjectId("blob", toBytes(content));
}

function toBytes(content) {
  return typeof content === "string" ? Buffer.from(content, "utf8") : Buffer.from(content);
}

class HttpError extends Error {
  constructor(status, message, extra = {}, headers = {}) {
    super(message);
    this.status = status;
    this.extra = extra;
    this.headers = headers;
  }
}

/** Content-addressed objects shared by every repository (like a fork network on GitHub). */
class GitStore {
  objects = new Map();

  putBlob(content) {
    const bytes = toBytes(content);
    const sha = gitObjectId("blob", bytes);
    this.objects.set(sha, { type: "blob", bytes });
    return sha;
  }

  /** entries: [{ name, mode, sha }] with modes as the API shows them ("040000" for trees). */
  putTree(entries) {
    const sorted = [...entries].sort((a, b) => {
      const ka = a.mode === "040000" ? `${a.name}/` : a.name;
      const kb = b.mode === "040000" ? `${b.name}/` : b.name;
      return Buffer.compare(Buffer.from(ka), Buffer.from(kb));
    });
    const bytes = Buffer.concat(
      sorted.map((e) =>
        Buffer.concat([
          Buffer.from(`${e.mode === "040000" ? "40000" : e.mode} ${e.name}\0`),
          Buffer.from(e.sha, "hex"),
        ]),
      ),
    );
    const sha = gitObjectId("tree", bytes);
    this.objects.set(sha, { type: "tree", entries: sorted });
    return sha;
  }

  /**
   * author/committer: the GitHub login the commit's email is linked to, or null for an email
   * linked to no account. Default: "octocat" (the default pull request author).
   */
  putCommit({ tree, parents, message, author = DEFAULT_LOGIN, committer = author, date }) {
    // Identities other than the default are part of the commit text, so they change its id.
    const who = (login) =>
      login === DEFAULT_LOGIN
        ? "Fake Author <author@example.com>"
        : `${login ?? "Unlinked"} <${login ?? "unlinked"}@example.com>`;
    // A date other than the default is part of the commit text too.
    const epoch = date === undefined ? 1700000000 : Math.floor(Date.parse(date) / 1000);
    const text = [
      `tree ${tree}`,
      ...parents.map((p) => `parent ${p}`),
      `author ${who(author)} ${epoch} +0000`,
      `committer ${who(committer)} ${epoch} +0000`,
      "",
      message,
    ].join("\n");
    const sha = gitObjectId("commit", Buffer.from(text));
    this.objects.set(sha, {
      type: "commit",
      tree,
      parents,
      message,
      author,
      committer,
      date: new Date(epoch * 1000).toISOString().replace(".000Z", "Z"),
    });
    return sha;
  }

  get(sha, type) {
    const o = this.objects.get(sha);
    return o && (type === undefined || o.type === type) ? o : null;
  }

  /** path → { mode, sha } for every non-tree entry below a tree. */
  flatten(treeSha, prefix = "", out = new Map()) {
    for (const e of this.get(treeSha, "tree").entries) {
      const path = prefix + e.name;
      if (e.mode === "040000") this.flatten(e.sha, `${path}/`, out);
      else out.set(path, { mode: e.mode, sha: e.sha });
    }
    return out;
  }

  /** Builds (and stores) the trees for a flat path → { mode, sha } map; returns the root sha. */
  buildTree(flat) {
    const root = new Map();
    for (const [path, entry] of flat) {
      const parts = path.split("/");
      let dir = root;
      for (const p of parts.slice(0, -1)) {
        if (!dir.has(p)) dir.set(p, new Map());
        dir = dir.get(p);
        if (!(dir instanceof Map)) throw new Error(`${path}: a parent is a file`);
      }
      dir.set(parts.at(-1), entry);
    }
    const write = (dir) =>
      this.putTree(
        [...dir].map(([name, v]) =>
          v instanceof Map ? { name, mode: "040000", sha: write(v) } : { name, ...v },
        ),
      );
    return write(root);
  }

  ancestors(sha) {
    const seen = new Set();
    const stack = [sha];
    while (stack.length) {
      const s = stack.pop();
      if (seen.has(s)) continue;
      seen.add(s);
      stack.push(...(this.get(s, "commit")?.parents ?? []));
    }
    return seen;
  }

  /** The commits reachable from `head` but not in `excluded`, parents before children. */
  commitsSince(head, excluded) {
    const out = [];
    const seen = new Set();
    const visit = (sha) => {
      if (seen.has(sha) || excluded.has(sha)) return;
      seen.add(sha);
      for (const p of this.get(sha, "commit").parents) visit(p);
      out.push(sha);
    };
    visit(head);
    return out;
  }

  mergeBase(a, b) {
    const ofB = this.ancestors(b);
    const queue = [a];
    const seen = new Set();
    while (queue.length) {
      const s = queue.shift();
      if (ofB.has(s)) return s;
      if (seen.has(s)) continue;
      seen.add(s);
      queue.push(...(this.get(s, "commit")?.parents ?? []));
    }
    return null;
  }
}

let nextRepoId = 1000;

export class FakeRepo {
  constructor(server, owner, name, opts = {}) {
    this.server = server;
    this.owner = owner;
    this.name = name;
    this.id = nextRepoId++;
    this.defaultBranch = opts.defaultBranch ?? "main";
    this.fork = opts.fork ?? false;
    this.branches = new Map();
    /**
     * Branch moves as `GET /repos/{o}/{r}/activity` lists them: { id, before, after, ref,
     * timestamp (when GitHub received it, not the commit's date), activity_type, actor }.
     */
    this.activity = [];
    this.pulls = new Map();
    /** login (lower case) → repository role_name ("admin", "maintain", "write", …). */
    this.roles = new Map();
    /**
     * branch → the required status checks of its protection rule ({ context, app_id }[]); a
     * branch not listed is unprotected. `null`: protected, but GitHub shows no required checks.
     */
    this.protection = new Map();
    /**
     * Rulesets: { id, branches (names), checks: { context, integration_id? }[], enforcement?
     * ("active", the default; "evaluate", "disabled": REST leaves those out), organization? (the
     * login of the organization that set it) }.
     */
    this.rulesets = [];
    /**
     * What GraphQL's `Ref.rules` shows: "active" (as documented: the active rulesets' rules),
     * "all" (evaluate and disabled ones too, each with its enforcement), "hidden" (an empty list,
     * as an installation that may not see them could get), "unseen" (each rule's ruleset null).
     */
    this.graphqlRules = "active";
    /** When set, `GET /rules/branches/…` answers this status (e.g. 403). */
    this.rulesStatus = null;
    /** branch → merge queue entries in order (see enqueue); GraphQL `mergeQueue(branch:)`. */
    this.mergeQueues = new Map();
    /** Issues (not pull requests): { number, title, body, state, user, type }. */
    this.issues = [];
    /** When set, the issue endpoints answer this status (e.g. 403: no `issues: write`). */
    this.issuesStatus = null;
  }

  /** An issue opened by `user` (type "User" or "Bot"); numbers follow the pull requests'. */
  addIssue({ title, body = "", user = DEFAULT_LOGIN, type = "User", app = null }) {
    const issue = {
      number: 100_000 + this.issues.length + 1,
      title,
      body,
      state: "open",
      user,
      type,
      app,
    };
    this.issues.push(issue);
    return issue;
  }

  issueJSON(i) {
    return {
      id: this.id * 1_000_000 + i.number,
      number: i.number,
      title: i.title,
      body: i.body,
      state: i.state,
      user: { login: i.user, id: 1, type: i.type },
      // GitHub names the app an issue was opened through (null for people and other tokens).
      performed_via_github_app: i.app === null ? null : { id: i.app, slug: APP_SLUG },
      html_url: `${this.server.webUrl}/${this.fullName}/issues/${i.number}`,
    };
  }

  /** The user's role for `GET /collaborators/{user}/permission` (no role: 404). */
  setRole(login, role) {
    this.roles.set(login.toLowerCase(), role);
  }

  get fullName() {
    return `${this.owner}/${this.name}`;
  }

  get git() {
    return this.server.git;
  }

  /**
   * Commit file changes on top of `parent` (default: the branch tip) and move `branch` to it.
   * files: { path: string | Uint8Array (file) | null (delete) | { symlink } | { submodule } |
   * { content, mode } }.
   */
  commit({ branch, parent, files = {}, message = "commit", author, committer, date, pushedAt }) {
    const from = parent !== undefined ? parent : branch ? this.branches.get(branch) : undefined;
    const flat = from ? this.git.flatten(this.git.get(from, "commit").tree) : new Map();
    for (const [path, v] of Object.entries(files)) {
      if (v === null) flat.delete(path);
      else if (typeof v === "string" || v instanceof Uint8Array)
        flat.set(path, { mode: "100644", sha: this.git.putBlob(v) });
      else if ("symlink" in v) flat.set(path, { mode: "120000", sha: this.git.putBlob(v.symlink) });
      else if ("submodule" in v) flat.set(path, { mode: "160000", sha: v.submodule });
      else flat.set(path, { mode: v.mode ?? "100644", sha: this.git.putBlob(v.content) });
    }
    const sha = this.git.putCommit({
      tree: this.git.buildTree(flat),
      parents: from ? [from] : [],
      message,
      ...(author !== undefined ? { author } : {}),
      ...(committer !== undefined ? { committer } : {}),
      ...(date !== undefined ? { date } : {}),
    });
    if (branch) this.moveBranch(branch, sha, "push", author ?? DEFAULT_LOGIN, pushedAt);
    return sha;
  }

  /** Moves a branch and records the move in the repository's activity. */
  moveBranch(branch, sha, type, actor, at) {
    const before = this.branches.get(branch);
    this.branches.set(branch, sha);
    this.activity.push({
      id: this.activity.length + 1,
      before: before ?? "0".repeat(40),
      after: sha,
      ref: `refs/heads/${branch}`,
      timestamp: at ?? new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      activity_type: before === undefined ? "branch_creation" : type,
      actor,
    });
  }

  /**
   * Merges the pull request into its base branch like the merge button: a merge commit (parents:
   * base tip, head) or a squash commit (parent: base tip) whose tree is the base tip with the
   * PR's changes applied. Afterwards, like GitHub, its commits and files stay what they were.
   */
  mergePullRequest(number, { by = DEFAULT_LOGIN, at, method = "merge" } = {}) {
    const pr = this.pull(number);
    if (pr.state !== "open") throw new Error(`pull request #${number} is not open`);
    const tip = this.branches.get(pr.base);
    const flat = this.git.flatten(this.git.get(tip, "commit").tree);
    const head = this.git.flatten(this.git.get(pr.headSha, "commit").tree);
    for (const f of this.pullFiles(number)) {
      if (f.previous_filename) flat.delete(f.previous_filename);
      if (f.status === "removed") flat.delete(f.filename);
      else flat.set(f.filename, head.get(f.filename));
    }
    const mergedAt = at ?? new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    const sha = this.git.putCommit({
      tree: this.git.buildTree(flat),
      parents: method === "squash" ? [tip] : [tip, pr.headSha],
      message: `Merge pull request #${number}`,
      author: by,
      date: mergedAt,
    });
    Object.assign(pr, {
      state: "closed",
      baseTipAtMerge: tip,
      mergedAt,
      mergedBy: by,
      mergeCommitSha: sha,
      updatedAt: mergedAt,
    });
    this.moveBranch(pr.base, sha, "pr_merge", by, mergedAt);
    return sha;
  }

  /**
   * Queues the pull request in its base branch's merge queue, as GitHub does: a group commit on
   * top of the last entry's head (or the branch tip) with the PR's changes, on a
   * `gh-readonly-queue/<base>/pr-<N>-<parent>` branch. `files` alters the group commit's tree
   * further (a queue commit that differs from the PR). Returns the entry, whose `payload` is the
   * `merge_group` object of the checks_requested event.
   */
  enqueue(number, { files = {}, squash = false } = {}) {
    const pr = this.pull(number);
    const queue = this.mergeQueues.get(pr.base) ?? [];
    this.mergeQueues.set(pr.base, queue);
    const parent = queue.at(-1)?.headSha ?? this.branches.get(pr.base);
    const flat = this.git.flatten(this.git.get(parent, "commit").tree);
    const head = this.git.flatten(this.git.get(pr.headSha, "commit").tree);
    for (const f of this.pullFiles(number)) {
      if (f.previous_filename) flat.delete(f.previous_filename);
      if (f.status === "removed") flat.delete(f.filename);
      else flat.set(f.filename, head.get(f.filename));
    }
    for (const [path, v] of Object.entries(files)) {
      if (v === null) flat.delete(path);
      else flat.set(path, { mode: "100644", sha: this.git.putBlob(v) });
    }
    const headSha = this.git.putCommit({
      tree: this.git.buildTree(flat),
      // Squash: the pull request's own commits are not in the group's history.
      parents: squash ? [parent] : [parent, pr.headSha],
      message: squash ? `Change (#${number})` : `Merge pull request #${number}`,
    });
    const headRef = `refs/heads/gh-readonly-queue/${pr.base}/pr-${number}-${parent}`;
    this.branches.set(headRef.slice("refs/heads/".length), headSha);
    const entry = {
      number,
      baseSha: parent,
      headSha,
      state: "AWAITING_CHECKS",
      payload: {
        head_sha: headSha,
        head_ref: headRef,
        base_sha: parent,
        base_ref: `refs/heads/${pr.base}`,
        head_commit: { id: headSha, tree_id: this.git.get(headSha, "commit").tree },
      },
    };
    queue.push(entry);
    return entry;
  }

  /** Removes the pull request from its base branch's merge queue (the group is destroyed). */
  dequeue(number) {
    for (const [branch, queue] of this.mergeQueues)
      this.mergeQueues.set(
        branch,
        queue.filter((e) => e.number !== number),
      );
  }

  /** A pull request from `head` (a commit sha) into `base` (a branch of this repository). */
  openPullRequest({
    number,
    base,
    head,
    headRef = "feature",
    headRepo = this,
    title = "Change",
    user = "octocat",
  }) {
    const n = number ?? this.pulls.size + 1;
    if (!this.branches.has(base)) throw new Error(`no branch ${base} in ${this.fullName}`);
    const pr = {
      number: n,
      state: "open",
      title,
      user,
      base,
      // Like GitHub: the base branch tip when the PR was opened, not kept current.
      baseShaAtOpen: this.branches.get(base),
      headSha: head,
      headRef,
      headRepo,
      reviews: [],
      comments: [],
      /** Issue events (`GET /issues/{n}/events`): base changes and review dismissals. */
      events: [],
    };
    this.pulls.set(n, pr);
    return n;
  }

  /**
   * Changes the pull request's base branch, as editing it on GitHub does: a `base_ref_changed`
   * issue event now. `automatic` records GitHub's own retargeting (when the old base was deleted)
   * instead. Returns the event time.
   */
  retarget(number, base, { automatic = false, at = nowSeconds() } = {}) {
    const pr = this.pull(number);
    if (!this.branches.has(base)) throw new Error(`no branch ${base} in ${this.fullName}`);
    pr.base = base;
    pr.baseShaAtOpen = this.branches.get(base);
    this.#event(pr, automatic ? "automatic_base_change_succeeded" : "base_ref_changed", at);
    return at;
  }

  #event(pr, event, at, extra = {}) {
    pr.events.push({ id: 60_000 + this.server.eventCount++, event, created_at: at, ...extra });
  }

  /**
   * A submitted review (REST state: APPROVED, CHANGES_REQUESTED, COMMENTED); on the PR's current
   * head unless `commitId` says otherwise (null: GitHub lost the commit). `user` null: a deleted
   * account. Returns the review id.
   */
  review(number, { user, state, commitId, submittedAt }) {
    const pr = this.pull(number);
    const id = 70_000 + this.server.reviewCount++;
    pr.reviews.push({
      id,
      user,
      state,
      commitId: commitId === undefined ? pr.headSha : commitId,
      submittedAt: submittedAt ?? nowSeconds(),
    });
    return id;
  }

  /** Like GitHub: the review becomes DISMISSED, and a `review_dismissed` event keeps its state. */
  dismissReview(number, id, { at = nowSeconds() } = {}) {
    const pr = this.pull(number);
    const r = pr.reviews.find((x) => x.id === id);
    if (!r) throw new HttpError(404, "Not Found");
    this.#event(pr, "review_dismissed", at, {
      dismissed_review: {
        state: r.state.toLowerCase(),
        review_id: r.id,
        dismissal_message: "dismissed",
        dismissal_commit_id: pr.headSha,
      },
    });
    r.state = "DISMISSED";
  }

  /** The issue events of the pull request as `GET /issues/{n}/events` lists them. */
  eventsJSON(number) {
    return this.pull(number).events.map((e) => ({
      node_id: `E_${e.id}`,
      url: `${this.server.apiUrl}/repos/${this.fullName}/issues/events/${e.id}`,
      actor: { login: "octocat", id: 1, type: "User" },
      commit_id: null,
      commit_url: null,
      ...e,
    }));
  }

  /** A review as the API (or, with `webhook`, a pull_request_review payload) shows it. */
  reviewJSON(number, id, { webhook = false } = {}) {
    const pr = this.pull(number);
    const r = pr.reviews.find((x) => x.id === id);
    if (!r) throw new HttpError(404, "Not Found");
    return {
      id: r.id,
      node_id: `PRR_${r.id}`,
      user:
        r.user === null ? null : { login: r.user, id: this.server.accountId(r.user), type: "User" },
      body: "",
      // REST reports APPROVED, webhooks approved.
      state: webhook ? r.state.toLowerCase() : r.state,
      commit_id: r.commitId,
      submitted_at: r.submittedAt,
      author_association: "MEMBER",
      html_url: `${this.server.webUrl}/${this.fullName}/pull/${number}#pullrequestreview-${r.id}`,
      pull_request_url: `${this.server.apiUrl}/repos/${this.fullName}/pulls/${number}`,
    };
  }

  /** An issue comment on the pull request (the app must never read these). */
  comment(number, { user, body }) {
    this.pull(number).comments.push({ id: 80_000 + this.pull(number).comments.length, user, body });
  }

  /** Commits of the PR, oldest first, as GitHub lists them (not capped here). */
  pullCommitShas(number) {
    const pr = this.pull(number);
    return this.git.commitsSince(
      pr.headSha,
      this.git.ancestors(pr.baseTipAtMerge ?? this.branches.get(pr.base)),
    );
  }

  pushToPullRequest(number, head) {
    this.pull(number).headSha = head;
  }

  closePullRequest(number) {
    this.pull(number).state = "closed";
  }

  pull(number) {
    const pr = this.pulls.get(number);
    if (!pr) throw new HttpError(404, "Not Found");
    return pr;
  }

  /** The PR's files as GitHub lists them: merge base → head, exact renames detected. */
  pullFiles(number) {
    const pr = this.pull(number);
    const git = this.git;
    const mb = git.mergeBase(pr.baseTipAtMerge ?? this.branches.get(pr.base), pr.headSha);
    const before = mb ? git.flatten(git.get(mb, "commit").tree) : new Map();
    const after = git.flatten(git.get(pr.headSha, "commit").tree);
    const added = [];
    const removed = [];
    const files = [];
    for (const [path, e] of after) {
      const old = before.get(path);
      if (!old) added.push([path, e]);
      else if (old.sha !== e.sha || old.mode !== e.mode)
        files.push(this.#file(path, e.mode === old.mode ? "modified" : "changed", e.sha));
    }
    for (const [path, e] of before) if (!after.has(path)) removed.push([path, e]);
    for (const [path, e] of added) {
      const i = removed.findIndex(([, r]) => r.sha === e.sha);
      if (i >= 0) {
        const [from] = removed.splice(i, 1)[0];
        files.push({ ...this.#file(path, "renamed", e.sha), previous_filename: from });
      } else files.push(this.#file(path, "added", e.sha));
    }
    for (const [path, e] of removed) files.push(this.#file(path, "removed", e.sha));
    return files.sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
  }

  #file(filename, status, sha) {
    const base = `${this.server.webUrl}/${this.fullName}`;
    return {
      sha,
      filename,
      status,
      additions: 0,
      deletions: 0,
      changes: 0,
      blob_url: `${base}/blob/${sha}/${filename}`,
      raw_url: `${base}/raw/${sha}/${filename}`,
      contents_url: `${this.server.apiUrl}/repos/${this.fullName}/contents/${filename}?ref=${sha}`,
    };
  }

  toJSON() {
    return {
      id: this.id,
      node_id: `R_${this.id}`,
      name: this.name,
      full_name: this.fullName,
      private: false,
      fork: this.fork,
      owner: { login: this.owner, id: this.id + 1_000_000, type: "User" },
      html_url: `${this.server.webUrl}/${this.fullName}`,
      url: `${this.server.apiUrl}/repos/${this.fullName}`,
      default_branch: this.defaultBranch,
    };
  }

  pullJSON(number) {
    const pr = this.pull(number);
    return {
      id: this.id * 10_000 + pr.number,
      number: pr.number,
      state: pr.state,
      draft: false,
      title: pr.title,
      user: { login: pr.user, id: this.server.accountId(pr.user), type: "User" },
      html_url: `${this.server.webUrl}/${this.fullName}/pull/${pr.number}`,
      head: {
        label: `${pr.headRepo.owner}:${pr.headRef}`,
        ref: pr.headRef,
        sha: pr.headSha,
        repo: pr.headRepo.toJSON(),
        user: { login: pr.headRepo.owner },
      },
      base: {
        label: `${this.owner}:${pr.base}`,
        ref: pr.base,
        sha: pr.baseShaAtOpen,
        repo: this.toJSON(),
        user: { login: this.owner },
      },
      merged: pr.mergedAt !== undefined,
      merged_at: pr.mergedAt ?? null,
      merged_by: pr.mergedBy ? { login: pr.mergedBy, id: 1, type: "User" } : null,
      merge_commit_sha: pr.mergeCommitSha ?? null,
      closed_at: pr.mergedAt ?? null,
      updated_at: pr.updatedAt ?? new Date(REVIEW_EPOCH).toISOString().replace(".000Z", "Z"),
      commits: this.pullCommitShas(number).length,
      changed_files: this.pullFiles(number).length,
    };
  }
}

export class FakeGitHub {
  /**
   * appId and privateKey (PEM) of the app whose JWTs are accepted; installationId defaults to 1.
   * validateCheckRun(kind, body) may return a list of schema errors (answered with HTTP 422).
   */
  constructor({
    appId,
    privateKey,
    installationId = 1,
    validateCheckRun,
    treeEntryLimit = 100_000,
  }) {
    this.appId = String(appId);
    this.publicKey = createPublicKey(privateKey);
    this.installationId = installationId;
    /** Every installation of the app; tokens are not tied to one (repositories are all shared). */
    this.installations = new Set([installationId]);
    this.validateCheckRun = validateCheckRun;
    this.treeEntryLimit = treeEntryLimit;
    this.git = new GitStore();
    this.repos = new Map();
    this.tokens = new Set();
    this.checkRuns = [];
    this.checkSuites = [];
    /** { method, path, query, status, body } for every request, in arrival order. */
    this.requests = [];
    this.failures = [];
    /** Commit email (lower case) → the login it is linked to (see linkEmail). */
    this.emails = new Map();
    this.reviewCount = 0;
    this.eventCount = 0;
    /** "org/team/login" (lower case) → "active" | "pending". */
    this.memberships = new Map();
    /** login (lower case) → account id; a login is given the next id when first named. */
    this.accounts = new Map();
    /** Logins a rename freed: no account holds them until something names them again. */
    this.freedLogins = new Set();
    this.nextAccountId = 100_001;
    this.server = createServer((req, res) => {
      this.#handle(req, res).catch((err) => {
        res.writeHead(500).end(String(err));
      });
    });
    this.port = 0;
  }

  /** Listens on a free loopback port. */
  async start() {
    await new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", resolve);
    });
    this.port = this.server.address().port;
    return this;
  }

  async stop() {
    this.server.closeAllConnections?.();
    await new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** For GHE_HOST (with GHE_PROTOCOL=http). */
  get host() {
    return `127.0.0.1:${this.port}`;
  }

  get apiUrl() {
    return `http://${this.host}${ENTERPRISE_PREFIX}`;
  }

  get webUrl() {
    return `http://${this.host}`;
  }

  createRepo(owner, name, opts) {
    const repo = new FakeRepo(this, owner, name, opts);
    this.repos.set(repo.fullName.toLowerCase(), repo);
    this.#everyRepo.push(repo);
    return repo;
  }

  /** Every repository made, replaced ones too: a node id names its repository for good. */
  #everyRepo = [];

  repo(owner, name) {
    const r = this.repos.get(`${owner}/${name}`.toLowerCase());
    if (!r) throw new HttpError(404, "Not Found");
    return r;
  }

  /**
   * Answer the next `times` requests matching method, path (RegExp) and every `query` parameter
   * given with `status` and `{ message }`, plus `headers`; with `body`, the answer is that raw
   * text instead (still labelled JSON: a malformed answer). `match(entry)` can narrow it further
   * (the request log entry, with its parsed body).
   */
  failNext({
    method,
    path,
    query = {},
    match = () => true,
    status = 500,
    times = 1,
    message = "Server Error",
    headers = {},
    body,
  }) {
    this.failures.push({ method, path, query, match, status, times, message, headers, body });
  }

  clearRequests() {
    this.requests = [];
  }

  /**
   * The account id of a login (GitHub's `id`, GraphQL `databaseId`): people are accounts, logins
   * their names for now. A login nobody held, or one a rename freed, is claimed by a new account
   * when first named (`claim: false`: null then, as GitHub answers for a login nobody holds).
   */
  accountId(login, { claim = true } = {}) {
    if (login === null || login === undefined || login === "") return null;
    const key = login.toLowerCase();
    if (!this.accounts.has(key)) {
      if (!claim && this.freedLogins.has(key)) return null;
      this.freedLogins.delete(key);
      this.accounts.set(key, this.nextAccountId++);
    }
    return this.accounts.get(key);
  }

  /**
   * Renames an account, as its owner can: everything it did shows the new login, the old one is
   * freed (the next thing naming it is another account: a claimed login).
   */
  renameUser(from, to) {
    const [f, t] = [from.toLowerCase(), to.toLowerCase()];
    const id = this.accountId(from);
    if (this.accounts.has(t)) throw new Error(`${to} is taken`);
    this.accounts.delete(f);
    this.accounts.set(t, id);
    this.freedLogins.add(f);
    const same = (login) => typeof login === "string" && login.toLowerCase() === f;
    for (const repo of this.repos.values()) {
      for (const pr of repo.pulls.values()) {
        if (same(pr.user)) pr.user = to;
        for (const r of pr.reviews) if (same(r.user)) r.user = to;
      }
      for (const [k, v] of [...repo.roles])
        if (k === f) {
          repo.roles.delete(k);
          repo.roles.set(t, v);
        }
    }
    for (const o of this.git.objects.values())
      if (o.type === "commit") {
        if (same(o.author)) o.author = to;
        if (same(o.committer)) o.committer = to;
      }
    for (const [e, l] of [...this.emails]) if (same(l)) this.emails.set(e, to);
    for (const [k, v] of [...this.memberships]) {
      const parts = k.split("/");
      if (parts[2] === f) {
        this.memberships.delete(k);
        this.memberships.set(`${parts[0]}/${parts[1]}/${t}`, v);
      }
    }
  }

  /** `GET /orgs/{org}/teams/{team}/memberships/{login}`: state, or null for none (404). */
  setTeamMembership(org, team, login, state) {
    const key = `${org}/${team}/${login}`.toLowerCase();
    if (state === null) this.memberships.delete(key);
    else this.memberships.set(key, state);
  }

  /**
   * A completed check run created directly: by another app when `appId` is not the fake's own
   * (anything with checks: write can create one with any name and external_id).
   */
  addCheckRun(
    repo,
    {
      appId = Number(this.appId),
      name,
      head_sha,
      external_id = "",
      conclusion = "success",
      started_at,
      completed_at,
      title,
    },
  ) {
    const body = { name, head_sha, external_id, started_at, completed_at };
    if (conclusion === null) body.status = "in_progress";
    else body.conclusion = conclusion;
    if (title !== undefined) body.output = { title, summary: "" };
    const run = this.#newRun(repo, body, appId);
    this.#apply(run, body);
    return run;
  }

  /** A check run as the API and check_run webhooks show it. */
  runJSON(run) {
    return this.#runJSON(run);
  }

  /** Another installation of the app (webhooks name it; the app requests a token for it). */
  addInstallation(id) {
    this.installations.add(id);
    return this.installationPayload(id);
  }

  installationPayload(id = this.installationId) {
    return { id, node_id: `I_${id}` };
  }

  /**
   * The next HTTP request matching method and path (RegExp, tested against the path without the
   * enterprise prefix) and `body` (RegExp on its text, when given) waits until release() before it is carried out: a worker is then
   * mid-evaluation for as long as a test needs. `reached` resolves once it waits.
   */
  holdNext({ method, path, body }) {
    let reach;
    let release;
    const reached = new Promise((resolve) => (reach = resolve));
    const released = new Promise((resolve) => (release = resolve));
    (this.holds ??= []).push({ method, path, body, reach, released });
    return { reached, release };
  }

  async #handle(req, res) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const pathname = new URL(req.url, "http://x").pathname.replace(/^\/api\/v3(?=\/)/, "");
    const text = Buffer.concat(chunks).toString("utf8");
    const hold = this.holds?.findIndex(
      (h) => h.method === req.method && h.path.test(pathname) && (h.body?.test(text) ?? true),
    );
    if (hold !== undefined && hold >= 0) {
      const [h] = this.holds.splice(hold, 1);
      h.reach();
      await h.released;
    }
    const out = this.dispatch({
      method: req.method,
      url: `http://${req.headers.host}${req.url}`,
      headers: req.headers,
      body: Buffer.concat(chunks).toString("utf8"),
    });
    res.writeHead(out.status, out.headers);
    res.end(out.body);
  }

  /**
   * Answers one request without the network (the HTTP server uses it, and so can nock):
   * url is absolute, headers lower-case, body the raw text or an already parsed JSON value.
   */
  dispatch({ method, url, headers = {}, body }) {
    const u = new URL(url);
    const enterprise = u.pathname.startsWith(`${ENTERPRISE_PREFIX}/`);
    const path = enterprise ? u.pathname.slice(ENTERPRISE_PREFIX.length) : u.pathname;
    const ctx = { method, headers, base: `${u.origin}${enterprise ? ENTERPRISE_PREFIX : ""}` };
    const entry = {
      method,
      path,
      query: Object.fromEntries(u.searchParams),
      enterprise,
      status: 0,
    };
    this.requests.push(entry);
    let status;
    let out;
    let resHeaders = { "content-type": "application/json; charset=utf-8" };
    try {
      if (typeof body === "string" && body !== "") entry.body = JSON.parse(body);
      else if (body !== undefined && body !== "") entry.body = body;
      const failure = this.failures.find(
        (f) =>
          f.times > 0 &&
          f.method === method &&
          f.path.test(path) &&
          Object.entries(f.query).every(([k, v]) => u.searchParams.get(k) === v) &&
          f.match(entry),
      );
      if (failure) {
        failure.times--;
        if (failure.body !== undefined) {
          entry.status = failure.status;
          return {
            status: failure.status,
            headers: { ...resHeaders, ...failure.headers },
            body: failure.body,
          };
        }
        throw new HttpError(failure.status, failure.message, {}, failure.headers);
      }
      const r = this.#route(ctx, path, u.searchParams, entry.body ?? {});
      status = r.status ?? 200;
      out = r.body;
      if (r.headers) resHeaders = { ...resHeaders, ...r.headers };
    } catch (err) {
      if (err instanceof HttpError) {
        status = err.status;
        out = { message: err.message, ...err.extra };
        resHeaders = { ...resHeaders, ...err.headers };
      } else {
        status = 500;
        out = { message: `fake-github: ${err.stack ?? err}` };
      }
    }
    entry.status = status;
    // Which aliases of a check-run mutation GitHub carried out (test/github/harness.ts lists
    // only those as the REST writes they stand for).
    if (/^\s*mutation\b/.test(entry.body?.query ?? "") && out && typeof out === "object")
      entry.carried = Object.keys(out.data ?? {}).filter((k) => out.data[k]?.checkRun);
    return {
      status,
      headers: resHeaders,
      body: typeof out === "string" || Buffer.isBuffer(out) ? out : JSON.stringify(out ?? {}),
    };
  }

  #route(req, path, query, body) {
    // req: { method, headers, base } where base is the API root the client used.
    const m = (re) => re.exec(path);
    let g;
    if ((g = m(/^\/app\/installations\/(\d+)\/access_tokens$/)) && req.method === "POST") {
      this.#checkJwt(req);
      if (!this.installations.has(Number(g[1]))) throw new HttpError(404, "Not Found");
      const token = `ghs_fake${randomBytes(12).toString("hex")}`;
      this.tokens.add(token);
      return {
        status: 201,
        body: {
          token,
          expires_at: new Date(Date.now() + 3600_000).toISOString(),
          permissions: {
            checks: "write",
            contents: "read",
            pull_requests: "read",
            members: "read",
            metadata: "read",
          },
          repository_selection: "all",
        },
      };
    }
    this.#checkToken(req);
    if ((g = m(/^\/apps\/([^/]+)$/)) && req.method === "GET") {
      if (decodeURIComponent(g[1]) !== APP_SLUG) throw new HttpError(404, "Not Found");
      return { body: { id: Number(this.appId), slug: APP_SLUG, name: APP_SLUG } };
    }
    if ((g = m(/^\/user\/(\d+)$/)) && req.method === "GET") {
      // The account with this id, under the login it holds now (404: no such account).
      const id = Number(g[1]);
      const login = [...this.accounts].find(([, v]) => v === id)?.[0];
      if (login === undefined) throw new HttpError(404, "Not Found");
      return { body: { login, id, type: "User" } };
    }
    if ((path === "/graphql" || path === "/api/graphql") && req.method === "POST")
      return { body: this.#graphql(body) };
    if (path === "/installation/repositories" && req.method === "GET") {
      // Every repository of the fake is shared with every installation.
      const repos = [...this.repos.values()].map((r) => r.toJSON());
      const perPage = Math.min(Number(query.get("per_page") ?? 30) || 30, 100);
      const page = Math.max(Number(query.get("page") ?? 1) || 1, 1);
      const last = Math.max(1, Math.ceil(repos.length / perPage));
      const link = (p) => `<${req.base}/installation/repositories?per_page=${perPage}&page=${p}>`;
      return {
        body: {
          total_count: repos.length,
          repositories: repos.slice((page - 1) * perPage, page * perPage),
        },
        headers:
          page < last
            ? { link: `${link(page + 1)}; rel="next", ${link(last)}; rel="last"` }
            : undefined,
      };
    }
    if (
      (g = m(/^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/)) &&
      req.method === "GET"
    ) {
      const [org, team, login] = g.slice(1).map(decodeURIComponent);
      const state = this.memberships.get(`${org}/${team}/${login}`.toLowerCase());
      if (!state) throw new HttpError(404, "Not Found");
      return {
        body: {
          url: `${req.base}/organizations/1/team/1/memberships/${login}`,
          role: "member",
          state,
        },
      };
    }
    if (!(g = m(/^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/))) throw new HttpError(404, "Not Found");
    const repo = this.repo(decodeURIComponent(g[1]), decodeURIComponent(g[2]));
    const rest = g[3] ?? "";
    const r = (re) => re.exec(rest);
    const get = req.method === "GET";

    if (rest === "" && get) return { body: repo.toJSON() };
    if (rest === "/pulls" && get)
      return this.#paged(req.base, repo, rest, query, this.#pullList(repo, query));
    if (rest === "/commits" && get)
      return this.#paged(req.base, repo, rest, query, this.#history(repo, query));
    if (rest === "/activity" && get) {
      const ref = query.get("ref");
      const type = query.get("activity_type");
      const asc = query.get("direction") === "asc";
      const list = repo.activity
        .filter((a) => (!ref || a.ref === ref) && (!type || a.activity_type === type))
        .sort((a, b) =>
          a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.id - b.id,
        )
        .map((a) => ({
          ...a,
          node_id: `RA_${a.id}`,
          actor: { login: a.actor, id: this.accountId(a.actor), type: "User" },
        }));
      return this.#paged(req.base, repo, rest, query, asc ? list : list.reverse());
    }
    if ((g = r(/^\/pulls\/(\d+)$/)) && get) return { body: repo.pullJSON(Number(g[1])) };
    if ((g = r(/^\/pulls\/(\d+)\/files$/)) && get)
      return this.#paged(
        req.base,
        repo,
        rest,
        query,
        repo.pullFiles(Number(g[1])).slice(0, MAX_LISTED_FILES),
      );
    if ((g = r(/^\/pulls\/(\d+)\/reviews$/)) && get) {
      const n = Number(g[1]);
      const reviews = repo.pull(n).reviews.map((x) => repo.reviewJSON(n, x.id));
      return this.#paged(req.base, repo, rest, query, reviews);
    }
    if ((g = r(/^\/pulls\/(\d+)\/commits$/)) && get) {
      const shas = repo.pullCommitShas(Number(g[1])).slice(0, MAX_LISTED_COMMITS);
      return this.#paged(
        req.base,
        repo,
        rest,
        query,
        shas.map((sha) => this.#commitListItem(repo, sha)),
      );
    }
    if ((g = r(/^\/issues\/(\d+)\/events$/)) && get)
      return this.#paged(req.base, repo, rest, query, repo.eventsJSON(Number(g[1])));
    if ((g = r(/^\/compare\/(.+)\.\.\.(.+)$/)) && get)
      return this.#compare(
        req.base,
        repo,
        rest,
        query,
        decodeURIComponent(g[1]),
        decodeURIComponent(g[2]),
      );
    if ((g = r(/^\/issues\/(\d+)\/comments$/)) && get) {
      const comments = repo.pull(Number(g[1])).comments.map((c) => ({
        id: c.id,
        user: { login: c.user, type: "User" },
        body: c.body,
      }));
      return this.#paged(req.base, repo, rest, query, comments);
    }
    if (rest === "/issues" && get) {
      if (repo.issuesStatus !== null)
        throw new HttpError(repo.issuesStatus, "Resource not accessible by integration");
      const state = query.get("state") ?? "open";
      const list = repo.issues.filter((i) => state === "all" || i.state === state).reverse();
      return this.#paged(
        req.base,
        repo,
        rest,
        query,
        list.map((i) => repo.issueJSON(i)),
      );
    }
    if (rest === "/issues" && req.method === "POST") {
      if (repo.issuesStatus !== null)
        throw new HttpError(repo.issuesStatus, "Resource not accessible by integration");
      const issue = repo.addIssue({
        title: body.title,
        body: body.body ?? "",
        user: `${APP_SLUG}[bot]`,
        type: "Bot",
        app: Number(this.appId),
      });
      return { status: 201, body: repo.issueJSON(issue) };
    }
    if ((g = r(/^\/issues\/(\d+)$/)) && req.method === "PATCH") {
      if (repo.issuesStatus !== null)
        throw new HttpError(repo.issuesStatus, "Resource not accessible by integration");
      const issue = repo.issues.find((i) => i.number === Number(g[1]));
      if (!issue) throw new HttpError(404, "Not Found");
      for (const k of ["title", "body", "state"])
        if (typeof body[k] === "string") issue[k] = body[k];
      return { body: repo.issueJSON(issue) };
    }
    if ((g = r(/^\/collaborators\/([^/]+)\/permission$/)) && get) {
      const login = decodeURIComponent(g[1]);
      const role = repo.roles.get(login.toLowerCase());
      if (role === undefined) throw new HttpError(404, "Not Found");
      return {
        body: {
          // The legacy field reports maintain as write and triage as read.
          permission: { maintain: "write", triage: "read" }[role] ?? role,
          role_name: role,
          user: { login, type: "User" },
        },
      };
    }
    if ((g = r(/^\/branches\/(.+)$/)) && get)
      return { body: this.#branch(repo, decodeURIComponent(g[1])) };
    if ((g = r(/^\/rules\/branches\/(.+)$/)) && get) {
      if (repo.rulesStatus !== null)
        throw new HttpError(repo.rulesStatus, "Resource not accessible by integration");
      const branch = decodeURIComponent(g[1]);
      const rules = repo.rulesets
        .filter((rs) => rs.branches.includes(branch) && (rs.enforcement ?? "active") === "active")
        .map((rs) => ({
          type: "required_status_checks",
          ruleset_source_type: rs.organization ? "Organization" : "Repository",
          ruleset_source: rs.organization ?? repo.fullName,
          ruleset_id: rs.id,
          parameters: {
            strict_required_status_checks_policy: false,
            required_status_checks: rs.checks,
          },
        }));
      return this.#paged(req.base, repo, rest, query, rules);
    }
    if ((g = r(/^\/git\/commits\/([0-9a-f]{40})$/)) && get)
      return { body: this.#commit(repo, g[1]) };
    if ((g = r(/^\/git\/trees\/(.+)$/)) && get)
      return { body: this.#tree(repo, decodeURIComponent(g[1]), query.has("recursive")) };
    if ((g = r(/^\/git\/blobs\/([0-9a-f]{40})$/)) && get) return { body: this.#blob(g[1]) };
    if ((g = r(/^\/contents\/(.+)$/)) && get)
      return this.#contents(req, repo, decodeURIComponent(g[1]), query.get("ref"));
    if ((g = r(/^\/commits\/([0-9a-f]{40})\/pulls$/)) && get)
      return this.#paged(
        req.base,
        repo,
        rest,
        query,
        this.#pullsForCommit(repo, g[1]).map(({ repo: r, pr }) => r.pullJSON(pr.number)),
      );
    if ((g = r(/^\/commits\/([^/]+)\/check-runs$/)) && get)
      return this.#runsForRef(req.base, repo, rest, decodeURIComponent(g[1]), query);
    if (rest === "/check-runs" && req.method === "POST")
      return { status: 201, body: this.#createRun(repo, body) };
    if ((g = r(/^\/check-runs\/(\d+)$/)) && req.method === "PATCH")
      return { body: this.#updateRun(repo, Number(g[1]), body) };
    if ((g = r(/^\/check-runs\/(\d+)$/)) && get)
      return { body: this.#runJSON(this.#run(repo, Number(g[1]))) };
    if ((g = r(/^\/check-runs\/(\d+)\/annotations$/)) && get)
      return { body: this.#run(repo, Number(g[1])).annotations };
    if ((g = r(/^\/check-suites\/(\d+)\/check-runs$/)) && get) {
      const runs = this.checkRuns.filter((c) => c.repo === repo && c.suiteId === Number(g[1]));
      return this.#runList(req.base, repo, rest, runs, query);
    }
    throw new HttpError(404, "Not Found");
  }

  #checkJwt(req) {
    const auth = req.headers.authorization ?? "";
    const jwt = /^bearer (.+)$/i.exec(auth)?.[1];
    if (!jwt) throw new HttpError(401, "A JSON web token could not be decoded");
    const [h, p, s] = jwt.split(".");
    const verify = createVerify("RSA-SHA256");
    verify.update(`${h}.${p}`);
    if (!s || !verify.verify(this.publicKey, Buffer.from(s, "base64url"))) {
      throw new HttpError(401, "'Issuer' claim ('iss') must be an Integer");
    }
    const claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
    if (String(claims.iss) !== this.appId || claims.exp * 1000 < Date.now()) {
      throw new HttpError(401, "Expired or foreign JSON web token");
    }
  }

  #checkToken(req) {
    const token = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (!token || !this.tokens.has(token)) throw new HttpError(401, "Bad credentials");
  }

  #paged(base, repo, rest, query, items) {
    const perPage = Math.min(Number(query.get("per_page") ?? 30) || 30, 100);
    const page = Math.max(Number(query.get("page") ?? 1) || 1, 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    // Like GitHub, the links keep the other query parameters (filters).
    const link = (p) => {
      const q = new URLSearchParams(query);
      q.set("per_page", String(perPage));
      q.set("page", String(p));
      return `<${base}/repos/${repo.fullName}${rest}?${q}>`;
    };
    const links = [];
    if (page < last) links.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
    if (page > 1) links.push(`${link(1)}; rel="first"`, `${link(page - 1)}; rel="prev"`);
    return {
      body: items.slice((page - 1) * perPage, page * perPage),
      headers: links.length ? { link: links.join(", ") } : undefined,
    };
  }

  #resolveCommit(repo, ref) {
    if (ref === undefined || ref === null) ref = repo.defaultBranch;
    if (repo.branches.has(ref)) return repo.branches.get(ref);
    if (this.git.get(ref, "commit")) return ref;
    throw new HttpError(404, `No commit found for the ref ${ref}`);
  }

  /** `GET /pulls`: state open|closed|all, base, sorted by created or updated, asc or desc. */
  #pullList(repo, query) {
    const state = query.get("state") ?? "open";
    const base = query.get("base");
    const sort = query.get("sort") ?? "created";
    const desc = (query.get("direction") ?? (sort === "created" ? "desc" : "desc")) === "desc";
    const list = [...repo.pulls.values()]
      .filter((pr) => (state === "all" || pr.state === state) && (!base || pr.base === base))
      .map((pr) => repo.pullJSON(pr.number));
    const key = (p) =>
      sort === "updated"
        ? `${p.updated_at}|${String(p.number).padStart(9, "0")}`
        : String(p.number).padStart(9, "0");
    list.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    return desc ? list.reverse() : list;
  }

  /** `GET /commits?sha=&since=&until=`: ancestors of sha, newest first, by commit date. */
  #history(repo, query) {
    const tip = this.#resolveCommit(repo, query.get("sha") ?? undefined);
    const since = query.get("since");
    const until = query.get("until");
    return [...this.git.ancestors(tip)]
      .map((sha) => ({ sha, date: this.git.get(sha, "commit").date }))
      .filter((c) => (!since || c.date >= since) && (!until || c.date <= until))
      .sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : a.sha < b.sha ? -1 : 1))
      .map((c) => this.#commitListItem(repo, c.sha));
  }

  #commitListItem(repo, sha) {
    const c = this.git.get(sha, "commit");
    const user = (login) =>
      login === null ? null : { login, id: this.accountId(login), type: "User" };
    const person = (login) => ({
      name: login ?? "Unlinked",
      email: `${login ?? "unlinked"}@example.com`,
      date: c.date,
    });
    return {
      sha,
      node_id: `C_${sha}`,
      commit: {
        message: c.message,
        tree: { sha: c.tree },
        author: person(c.author),
        committer: person(c.committer),
      },
      author: user(c.author),
      committer: user(c.committer),
      parents: c.parents.map((p) => ({ sha: p })),
      html_url: `${this.webUrl}/${repo.fullName}/commit/${sha}`,
    };
  }

  /**
   * `GET /compare/{base}...{head}`: the merge base, and the commits from it to head (oldest first,
   * paginated like GitHub's); `files` on the first page only, at most 300.
   */
  #compare(base, repo, rest, query, from, to) {
    const fromSha = this.#resolveCommit(repo, from);
    const toSha = this.#resolveCommit(repo, to);
    const mb = this.git.mergeBase(fromSha, toSha);
    if (!mb) throw new HttpError(404, `No common ancestor between ${from} and ${to}.`);
    const out = this.git.commitsSince(toSha, this.git.ancestors(mb));
    const behind = [...this.git.ancestors(fromSha)].filter(
      (s) => !this.git.ancestors(toSha).has(s),
    );
    const page = this.#paged(
      base,
      repo,
      rest,
      query,
      out.map((sha) => this.#commitListItem(repo, sha)),
    );
    const first = Math.max(Number(query.get("page") ?? 1) || 1, 1) === 1;
    return {
      body: {
        status:
          out.length === 0
            ? behind.length === 0
              ? "identical"
              : "behind"
            : behind.length === 0
              ? "ahead"
              : "diverged",
        ahead_by: out.length,
        behind_by: behind.length,
        total_commits: out.length,
        base_commit: this.#commitListItem(repo, fromSha),
        merge_base_commit: this.#commitListItem(repo, mb),
        commits: page.body,
        ...(first ? { files: [] } : {}),
      },
      headers: page.headers,
    };
  }

  #branch(repo, name) {
    const sha = repo.branches.get(name);
    if (!sha) throw new HttpError(404, "Branch not found");
    const c = this.git.get(sha, "commit");
    return {
      name,
      commit: {
        sha,
        commit: { tree: { sha: c.tree }, message: c.message },
        parents: c.parents.map((p) => ({ sha: p })),
      },
      ...this.#protection(repo, name),
    };
  }

  /** As GitHub shows an app a branch's protection: required checks with their app ids. */
  #protection(repo, name) {
    if (!repo.protection.has(name)) return { protected: false };
    const checks = repo.protection.get(name);
    return {
      protected: true,
      protection: {
        enabled: true,
        ...(checks === null
          ? {}
          : {
              required_status_checks: {
                enforcement_level: checks.length > 0 ? "everyone" : "off",
                contexts: checks.map((c) => c.context),
                checks,
              },
            }),
      },
    };
  }

  #commit(repo, sha) {
    const c = this.git.get(sha, "commit");
    if (!c) throw new HttpError(404, "Not Found");
    return {
      sha,
      tree: { sha: c.tree, url: `${this.apiUrl}/repos/${repo.fullName}/git/trees/${c.tree}` },
      parents: c.parents.map((p) => ({ sha: p })),
      message: c.message,
    };
  }

  #tree(repo, ref, recursive) {
    // Like GitHub: a tree sha, a commit sha or a branch name; any `recursive` value recurses.
    let sha = ref;
    if (!this.git.get(sha, "tree"))
      sha = this.git.get(this.#resolveCommit(repo, ref), "commit").tree;
    const entries = [];
    const walk = (treeSha, prefix) => {
      for (const e of this.git.get(treeSha, "tree").entries) {
        const isTree = e.mode === "040000";
        const type = isTree ? "tree" : e.mode === "160000" ? "commit" : "blob";
        const item = { path: prefix + e.name, mode: e.mode, type, sha: e.sha };
        if (type === "blob") item.size = this.git.get(e.sha, "blob").bytes.length;
        entries.push(item);
        if (isTree && recursive) walk(e.sha, `${prefix}${e.name}/`);
      }
    };
    walk(sha, "");
    const truncated = entries.length > this.treeEntryLimit;
    return { sha, tree: truncated ? entries.slice(0, this.treeEntryLimit) : entries, truncated };
  }

  /** `GET /git/blobs/{sha}` answers these bytes for that id (a corrupt or lying answer). */
  corruptBlob(sha, content) {
    this.#corruptBlobs.set(sha, toBytes(content));
  }

  #corruptBlobs = new Map();

  #blob(sha) {
    const b = this.git.get(sha, "blob");
    if (!b) throw new HttpError(404, "Not Found");
    const bytes = this.#corruptBlobs.get(sha) ?? b.bytes;
    const content = bytes.toString("base64").replace(/.{60}/g, "$&\n");
    return { sha, size: bytes.length, content, encoding: "base64" };
  }

  #contents(req, repo, path, ref) {
    const sha = this.#resolveCommit(repo, ref);
    const flat = this.git.flatten(this.git.get(sha, "commit").tree);
    const e = flat.get(path);
    if (!e) {
      const prefix = `${path}/`;
      const children = [...flat.keys()].filter((k) => k.startsWith(prefix));
      if (children.length === 0) throw new HttpError(404, "Not Found");
      const names = [...new Set(children.map((k) => k.slice(prefix.length).split("/")[0]))];
      return {
        body: names.map((name) => ({
          name,
          path: prefix + name,
          type: flat.has(prefix + name) ? "file" : "dir",
        })),
      };
    }
    const bytes = this.git.get(e.sha, "blob")?.bytes ?? Buffer.alloc(0);
    if (/raw/.test(req.headers.accept ?? "")) {
      return { body: bytes, headers: { "content-type": "text/plain; charset=utf-8" } };
    }
    return {
      body: {
        type: "file",
        encoding: "base64",
        size: bytes.length,
        name: path.split("/").at(-1),
        path,
        sha: e.sha,
        content: bytes.toString("base64"),
      },
    };
  }

  /**
   * Pull requests containing the commit: this repository's, and (like GitHub) those of other
   * repositories whose head branch is in this one, e.g. a fork's pull request into its parent.
   */
  /**
   * The pull requests `GET /commits/{sha}/pulls` and GraphQL's `Commit.associatedPullRequests`
   * list for a commit of `repo` (both alike, as GitHub documents them), oldest first:
   * { repo, pr } pairs. A commit on the default branch lists only merged pull requests ("the
   * merged pull request that introduced the commit"); open ones only when it is not there.
   */
  #pullsForCommit(repo, sha) {
    const tip = repo.branches.get(repo.defaultBranch);
    const onDefault = tip !== undefined && this.git.ancestors(tip).has(sha);
    return [...this.repos.values()].flatMap((r) =>
      [...r.pulls.values()]
        .filter(
          (pr) =>
            (r === repo || pr.headRepo === repo) &&
            // Like GitHub: also the merged pull request whose merge (or squash) commit this is.
            (this.git.ancestors(pr.headSha).has(sha) ||
              (r === repo && pr.mergeCommitSha === sha)) &&
            (!onDefault || pr.mergedAt !== undefined),
        )
        .map((pr) => ({ repo: r, pr })),
    );
  }

  #suite(repo, headSha, appId) {
    let s = this.checkSuites.find(
      (x) => x.repo === repo && x.headSha === headSha && x.appId === appId,
    );
    if (!s) {
      s = { id: 5000 + this.checkSuites.length, repo, headSha, appId };
      this.checkSuites.push(s);
    }
    return s;
  }

  #validate(kind, body) {
    const errors = this.validateCheckRun?.(kind, body) ?? [];
    if (errors.length) throw new HttpError(422, "Invalid request.", { errors });
    if ((body.output?.annotations?.length ?? 0) > 50) {
      throw new HttpError(422, "Only 50 annotations are allowed per request");
    }
    for (const f of ["summary", "text"]) {
      if (Buffer.byteLength(body.output?.[f] ?? "") > 65535) {
        throw new HttpError(
          422,
          `Invalid request. Only 65535 characters are allowed; ${f} was too long.`,
        );
      }
    }
    if ((body.status === "completed" || body.completed_at) && !body.conclusion) {
      throw new HttpError(422, "Invalid request. conclusion is required when status is completed");
    }
  }

  #createRun(repo, body) {
    this.#validate("checks/create", body);
    if (!body.name || !body.head_sha)
      throw new HttpError(422, "Invalid request. name and head_sha are required");
    const run = this.#newRun(repo, body, Number(this.appId));
    this.#apply(run, body);
    return this.#runJSON(run);
  }

  #newRun(repo, body, appId) {
    if (!this.git.get(body.head_sha, "commit"))
      throw new HttpError(422, `No commit found for SHA: ${body.head_sha}`);
    const run = {
      id: 9000 + this.checkRuns.length,
      repo,
      appId,
      // Check suites belong to one app.
      suiteId: this.#suite(repo, body.head_sha, appId).id,
      name: body.name,
      head_sha: body.head_sha,
      external_id: body.external_id ?? "",
      details_url: body.details_url ?? null,
      status: body.conclusion ? "completed" : (body.status ?? "queued"),
      conclusion: body.conclusion ?? null,
      started_at: body.started_at ?? new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      completed_at: null,
      output: { title: null, summary: null, text: null },
      annotations: [],
      actions: body.actions ?? [],
      history: [],
    };
    this.checkRuns.push(run);
    return run;
  }

  #updateRun(repo, id, body) {
    this.#validate("checks/update", body);
    const run = this.#run(repo, id);
    this.#apply(run, body);
    return this.#runJSON(run);
  }

  #apply(run, body) {
    if (body.status) run.status = body.status;
    if (body.conclusion) {
      run.conclusion = body.conclusion;
      run.status = "completed";
      run.completed_at = body.completed_at ?? new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    }
    if (body.external_id !== undefined) run.external_id = body.external_id;
    if (body.details_url !== undefined) run.details_url = body.details_url;
    if (body.actions) run.actions = body.actions;
    if (body.output) {
      for (const k of ["title", "summary", "text"])
        if (body.output[k] !== undefined) run.output[k] = body.output[k];
      // GitHub appends annotations on every update; it never replaces them.
      run.annotations.push(...(body.output.annotations ?? []));
    }
    run.history.push({ status: run.status, conclusion: run.conclusion });
  }

  #run(repo, id) {
    const run = this.checkRuns.find((c) => c.repo === repo && c.id === id);
    if (!run) throw new HttpError(404, "Not Found");
    return run;
  }

  #runJSON(run) {
    return {
      id: run.id,
      node_id: `CR_${run.id}`,
      name: run.name,
      head_sha: run.head_sha,
      external_id: run.external_id,
      details_url: run.details_url,
      status: run.status,
      conclusion: run.conclusion,
      started_at: run.started_at,
      completed_at: run.completed_at,
      html_url: `${this.webUrl}/${run.repo.fullName}/runs/${run.id}`,
      output: { ...run.output, annotations_count: run.annotations.length },
      check_suite: { id: run.suiteId },
      app: {
        id: run.appId,
        slug: run.appId === Number(this.appId) ? "migration-warden" : `app-${run.appId}`,
      },
      actions: run.actions,
      pull_requests: [],
    };
  }

  /** Like GitHub: newest first, filtered by name, app and `filter`, 30 (up to 100) per page. */
  #runList(base, repo, rest, runs, query) {
    let list = [...runs].reverse();
    if (query.get("check_name")) list = list.filter((r) => r.name === query.get("check_name"));
    if (query.get("app_id")) list = list.filter((r) => r.appId === Number(query.get("app_id")));
    if ((query.get("filter") ?? "latest") === "latest") {
      const latest = new Map();
      for (const r of list) if (!latest.has(r.name)) latest.set(r.name, r);
      list = [...latest.values()];
    }
    const page = this.#paged(base, repo, rest, query, list);
    return {
      body: { total_count: list.length, check_runs: page.body.map((r) => this.#runJSON(r)) },
      headers: page.headers,
    };
  }

  #runsForRef(base, repo, rest, ref, query) {
    const sha = this.#resolveCommit(repo, ref);
    return this.#runList(
      base,
      repo,
      rest,
      this.checkRuns.filter((c) => c.repo === repo && c.head_sha === sha),
      query,
    );
  }

  // GraphQL (POST /graphql; GitHub Enterprise Server: /api/graphql). The app's fixed queries are
  // matched by shape; any other runs against GitHub's published schema (#executed).

  /** Blob text longer than this many bytes comes back cut, with isTruncated (GitHub: 512,000). */
  graphqlTextLimit = 512_000;
  #graphqlFaults = [];

  /**
   * Alters the next `times` (default 1) GraphQL answers: `{ error }` answers with that GraphQL
   * error (HTTP 200, like GitHub); otherwise entries whose name matches `entry` (a RegExp) are
   * changed: `drop` removes them, `truncate` cuts their text in half and sets isTruncated,
   * `binary` hides their text, `oid` replaces their listed blob id, `text` replaces their text.
   */
  graphqlFault(fault) {
    this.#graphqlFaults.push({ times: 1, ...fault });
  }

  /**
   * Links a commit email to a GitHub account, as a user adding it to their account does; `null`:
   * linked to none, even a noreply address (GitHub stops linking an account's login-based
   * `login@users.noreply.github.com` once the account is renamed).
   */
  linkEmail(email, login) {
    this.emails.set(email.toLowerCase(), login);
  }

  /** The login's spelling as its account holds it (GitHub answers the account's own). */
  #currentLogin(login) {
    return login;
  }

  /** The account an email is linked to: registered ones, and GitHub's noreply addresses. */
  #userOfEmail(email) {
    const key = email.toLowerCase();
    if (this.emails.has(key)) return this.emails.get(key);
    const noreply = /^(?:\d+\+)?([A-Za-z0-9-]+)@users\.noreply\.github\.com$/i.exec(email);
    return noreply ? noreply[1] : null;
  }

  /**
   * The co-author query of src/github/approval/coauthors.ts: like GitHub, a commit's authors are
   * its git author, then every `Co-authored-by: Name <email>` trailer, each with the account its
   * email is linked to (bots are not users: null).
   */
  /** `associatedPullRequests` of commits, as `GET /commits/{sha}/pulls` lists them. */
  #mergedPulls(ids) {
    return {
      data: {
        nodes: ids.map((id) => {
          const sha = /^C_([0-9a-f]{40})$/.exec(id)?.[1];
          if (!sha || !this.git.get(sha, "commit")) return null;
          const pulls = [...this.repos.values()].flatMap((r) =>
            [...r.pulls.values()]
              .filter((pr) => this.git.ancestors(pr.headSha).has(sha) || pr.mergeCommitSha === sha)
              .map((pr) => ({
                number: pr.number,
                mergedAt: pr.mergedAt ?? null,
                headRefOid: pr.headSha,
                baseRefName: pr.base,
                mergeCommit: pr.mergeCommitSha ? { oid: pr.mergeCommitSha } : null,
                baseRepository: { nameWithOwner: r.fullName },
              })),
          );
          return {
            oid: sha,
            associatedPullRequests: { totalCount: pulls.length, nodes: pulls.slice(0, 20) },
          };
        }),
      },
    };
  }

  /** A commit's authors as GitHub lists them: its git author, then every co-author trailer. */
  #authorsOf(c) {
    const person = (login) => ({
      name: login ?? "Unlinked",
      email: `${login ?? "unlinked"}@example.com`,
      user: login === null ? null : { login, databaseId: this.accountId(login) },
    });
    const trailers = [
      ...c.message.matchAll(/^co-authored-by:[ \t]*(.*?)[ \t]*<([^>\n]+)>[ \t]*$/gim),
    ].map(([, name, email]) => {
      const login = this.#userOfEmail(email);
      return {
        name,
        email,
        user:
          login && !login.endsWith("[bot]") ? { login, databaseId: this.accountId(login) } : null,
      };
    });
    return [person(c.author), ...trailers];
  }

  #coAuthors(ids) {
    return {
      data: {
        nodes: ids.map((id) => {
          const sha = /^C_([0-9a-f]{40})$/.exec(id)?.[1];
          const c = sha && this.git.get(sha, "commit");
          if (!c) return null;
          const nodes = this.#authorsOf(c);
          return { oid: sha, authors: { totalCount: nodes.length, nodes } };
        }),
      },
    };
  }

  #graphql(body) {
    const shape = shapeOf(body.query ?? "");
    if (shape === CO_AUTHORS_SHAPE) return this.#coAuthors(body.variables?.ids ?? []);
    if (shape === MERGE_QUEUE_SHAPE) return this.#mergeQueue(body.variables ?? {});
    if (shape === MERGED_PULLS_SHAPE) return this.#mergedPulls(body.variables?.ids ?? []);
    if (shape !== BASE_DIRECTORY_SHAPE) return this.#executed(body);
    const { owner, name, expression } = body.variables ?? {};
    const faults = this.#graphqlFaults.filter((f) => f.times > 0 && !f.executed);
    for (const f of faults) f.times--;
    const error = faults.find((f) => f.error);
    if (error) return { data: null, errors: [{ message: error.error }] };
    const repo = this.repos.get(`${owner}/${name}`.toLowerCase());
    if (!repo) {
      return {
        data: { repository: null },
        errors: [
          {
            type: "NOT_FOUND",
            path: ["repository"],
            message: `Could not resolve to a Repository with the name '${owner}/${name}'.`,
          },
        ],
      };
    }
    return { data: { repository: { object: this.#graphqlObject(repo, expression, faults) } } };
  }

  /**
   * `repository.mergeQueue(branch:).entries` (pages of 100; positions from 1): each entry's head
   * and base commit and its pull request; null for a branch without a queue.
   */
  #mergeQueue({ owner, name, branch, after }) {
    const repo = this.repos.get(`${owner}/${name}`.toLowerCase());
    if (!repo) return { data: { repository: null }, errors: [{ type: "NOT_FOUND" }] };
    const queue = repo.mergeQueues.get(branch);
    if (!queue) return { data: { repository: { mergeQueue: null } } };
    const start = after ? Number(after) : 0;
    const nodes = queue.slice(start, start + 100).map((e, i) => {
      const pr = repo.pull(e.number);
      return {
        position: start + i + 1,
        state: e.state,
        headCommit: { oid: e.headSha },
        baseCommit: { oid: e.baseSha },
        pullRequest: { number: pr.number, headRefOid: pr.headSha, baseRefName: pr.base },
      };
    });
    const end = start + nodes.length;
    return {
      data: {
        repository: {
          mergeQueue: {
            entries: {
              totalCount: queue.length,
              pageInfo: { hasNextPage: end < queue.length, endCursor: String(end) },
              nodes,
            },
          },
        },
      },
    };
  }

  /** `<rev>:<path>` → the tree's entries (a blob or anything unresolvable: {} or null). */
  #graphqlObject(repo, expression, faults) {
    const colon = String(expression).indexOf(":");
    if (colon < 0) return null;
    let sha;
    try {
      sha = this.git.get(this.#resolveCommit(repo, expression.slice(0, colon)), "commit").tree;
    } catch {
      return null;
    }
    const dir = expression.slice(colon + 1);
    for (const seg of dir === "" ? [] : dir.split("/")) {
      const next = this.git.get(sha, "tree").entries.find((e) => e.name === seg);
      if (!next) return null;
      if (next.mode !== "040000") return {}; // not a Tree: the fragment selects nothing
      sha = next.sha;
    }
    const entries = [];
    for (const e of this.git.get(sha, "tree").entries) {
      const type = e.mode === "040000" ? "tree" : e.mode === "160000" ? "commit" : "blob";
      const entry = { name: e.name, oid: e.sha, type, object: type === "tree" ? {} : null };
      if (type === "blob") entry.object = this.#graphqlBlob(this.git.get(e.sha, "blob").bytes);
      const matching = faults.filter((f) => f.entry?.test(e.name));
      if (matching.some((f) => f.drop)) continue;
      for (const f of matching) {
        if (f.oid) entry.oid = f.oid;
        if (f.text !== undefined) entry.object = { ...entry.object, text: f.text };
        if (f.binary) entry.object = { ...entry.object, text: null, isBinary: true };
        if (f.truncate && typeof entry.object?.text === "string") {
          const t = entry.object.text;
          entry.object = { ...entry.object, text: t.slice(0, t.length >> 1), isTruncated: true };
        }
      }
      entries.push(entry);
    }
    return { entries };
  }

  /**
   * Any other query runs against GitHub's own published schema (@octokit/graphql-schema), so a
   * field, argument or type GitHub does not have is an error here as there. Answered: the
   * repository's git objects by `object(oid:)` / `object(expression: "<rev>:<path>")` (Commit
   * `oid tree file(path:)`, Tree `oid entries { name mode type oid size object }`, Blob `oid byteSize
   * isBinary isTruncated text`). Faults with `executed: true` apply here (and only here): `error`, `fieldError`,
   * tree entries matching `entry` (`drop`, `oid`, `name`: listed under that name), blobs whose id starts with `blob` (`text`,
   * `truncate`, `binary`). `operation` limits a fault to the query of that name; `partial` adds
   * that error message beside the data (GitHub's partial answers; at `path`, a response-key path,
   * when given); `afterAnswer` runs once the
   * answer is made (what changes on GitHub right after it). Pull requests answer their state,
   * base (`baseRefName`, `baseRef` as the branch is now), head, author, counts, head repository,
   * changed files (no previous paths) and commits; `repository.pullRequests(states:)` lists
   * them; a commit its associated pull requests. Field fault `pullRequests` fails that listing.
   */
  #executed(body) {
    const { owner, name } = body.variables ?? {};
    // Made once per request, not once per fault: a file can hold a hundred faults that never
    // run out (one per repository in test/github/faults.test.ts).
    const fullName = `${owner}/${name}`.toLowerCase();
    const faults = this.#graphqlFaults.filter(
      (f) =>
        f.times > 0 &&
        f.executed &&
        (f.repo === undefined || f.repo.toLowerCase() === fullName) &&
        (f.operation === undefined ||
          new RegExp(`^\\s*(?:query|mutation) ${f.operation}\\b`).test(body.query ?? "")),
    );
    for (const f of faults) f.times--;
    const error = faults.find((f) => f.error);
    if (error) return { data: null, errors: [{ message: error.error }] };
    const rootValue = {
      repository: ({ owner, name }) => {
        const repo = this.repos.get(`${owner}/${name}`.toLowerCase());
        if (!repo)
          throw new Error(`Could not resolve to a Repository with the name '${owner}/${name}'.`);
        return {
          __typename: "Repository",
          id: `R_${repo.id}`,
          nameWithOwner: repo.fullName,
          databaseId: repo.id,
          defaultBranchRef: repo.branches.has(repo.defaultBranch)
            ? { name: repo.defaultBranch }
            : null,
          object: ({ oid, expression }) =>
            oid !== undefined
              ? this.#gitNode(oid, faults)
              : this.#expressionNode(repo, expression, faults),
          pullRequest: ({ number }) => this.#pullRequestNode(repo, number, faults),
          // The repository's own pull requests (a fork's into it too), oldest first, by state.
          pullRequests: (args) =>
            fieldFault(faults, "pullRequests") ??
            connection(
              [...repo.pulls.values()]
                .filter(
                  (pr) =>
                    !args.states ||
                    args.states.includes(
                      pr.mergedAt !== undefined
                        ? "MERGED"
                        : pr.state === "open"
                          ? "OPEN"
                          : "CLOSED",
                    ),
                )
                .sort((a, b) => a.number - b.number)
                .map((pr) => this.#pullRequestNode(repo, pr.number, faults)),
              args,
            ),
        };
      },
    };
    // `user(login:)`: the account holding the login now; null when none does.
    rootValue.user = ({ login }) => {
      const databaseId = this.accountId(login, { claim: false });
      return databaseId === null
        ? null
        : { __typename: "User", login: this.#currentLogin(login), databaseId };
    };
    rootValue.createCheckRun = ({ input }) => this.#graphqlCreateRun(input, faults);
    rootValue.updateCheckRun = ({ input }) => this.#graphqlUpdateRun(input, faults);
    const checked = githubGraphql.check(body.query ?? "");
    const result =
      "errors" in checked
        ? { errors: checked.errors }
        : githubGraphql.execute({
            document: checked.document,
            rootValue,
            variableValues: body.variables ?? {},
            // The arguments as this module's own objects (githubGraphql may run in another realm).
            // Most fields take none: a fresh empty object is that copy, without the JSON trip.
            own: (args) => {
              for (const _ in args) return JSON.parse(JSON.stringify(args));
              return {};
            },
          });
    if (typeof result.then === "function") throw new Error("the fake's GraphQL answered late");
    const answer = JSON.parse(JSON.stringify(result));
    // GitHub answers some errors beside the data it could read (a node it could not resolve).
    const partial = faults.find((f) => f.partial);
    if (partial)
      answer.errors = [
        ...(answer.errors ?? []),
        { message: partial.partial, ...(partial.path ? { path: partial.path } : {}) },
      ];
    // Something that happens on GitHub right after this answer (a push to the base, …).
    for (const f of faults) f.afterAnswer?.();
    return answer;
  }

  /**
   * `createCheckRun(input:)`: the REST create of the same body (validated the same way, so the
   * mutation's input is checked against what REST accepts). Like GitHub, more than 50 annotations
   * answer a null checkRun without an error. Faults: `createError` (a RegExp on the run's name)
   * fails that field alone (an error at its alias, the other fields carried out); `beforeCreate`
   * runs before each create (another process writing between two of the mutation's fields).
   */
  #graphqlCreateRun(input, faults) {
    const { repo, body } = this.restCreateOf(input);
    for (const f of faults) f.beforeCreate?.(body.name);
    if (faults.some((f) => f.createError?.test(body.name)))
      throw new Error(`Something went wrong while creating ${body.name}.`);
    if ((body.output?.annotations?.length ?? 0) > 50) return { checkRun: null };
    const run = this.#createRun(repo, body);
    return {
      checkRun: {
        id: run.node_id,
        databaseId: run.id,
        url: run.html_url,
        checkSuite: { app: { databaseId: run.app.id } },
        annotations: () => ({ totalCount: run.output.annotations_count }),
      },
    };
  }

  /**
   * `updateCheckRun(input:)`: the REST update of the same body (validated the same way). Like
   * GitHub, more than 50 annotations answer a null checkRun without an error. Faults:
   * `updateError` (a RegExp on the run's name) fails that field alone; `beforeUpdate` runs before
   * each update.
   */
  #graphqlUpdateRun(input, faults) {
    const { repo, id, body } = this.restUpdateOf(input);
    const name = this.#run(repo, id).name;
    for (const f of faults) f.beforeUpdate?.(name);
    if (faults.some((f) => f.updateError?.test(name)))
      throw new Error(`Something went wrong while updating ${name}.`);
    if ((body.output?.annotations?.length ?? 0) > 50) return { checkRun: null };
    const run = this.#updateRun(repo, id, body);
    return {
      checkRun: {
        id: run.node_id,
        databaseId: run.id,
        url: run.html_url,
        annotations: () => ({ totalCount: run.output.annotations_count }),
      },
    };
  }

  /**
   * An updateCheckRun input as the REST update body it stands for, with its repository and run
   * id (the node id must name a run of that repository).
   */
  restUpdateOf(input) {
    const id = Number(/^CR_(\d+)$/.exec(input.checkRunId ?? "")?.[1]);
    const { repo, body } = this.restCreateOf({ ...input, name: "-", headSha: "-" });
    if (!id || !this.checkRuns.some((c) => c.repo === repo && c.id === id))
      throw new Error(`Could not resolve to a node with the global id of '${input.checkRunId}'`);
    const rest = { ...body };
    delete rest.name;
    delete rest.head_sha;
    return { repo, id, body: rest };
  }

  /** A createCheckRun input as the REST create body it stands for, with its repository. */
  restCreateOf(input) {
    const repo = this.#everyRepo.find((r) => `R_${r.id}` === input.repositoryId);
    if (!repo)
      throw new Error(`Could not resolve to a node with the global id of '${input.repositoryId}'`);
    const lower = (v) => (typeof v === "string" ? v.toLowerCase() : v);
    const o = input.output;
    const body = {
      name: input.name,
      head_sha: input.headSha,
      ...(input.externalId != null ? { external_id: input.externalId } : {}),
      ...(input.detailsUrl != null ? { details_url: input.detailsUrl } : {}),
      ...(input.status != null ? { status: lower(input.status) } : {}),
      ...(input.conclusion != null ? { conclusion: lower(input.conclusion) } : {}),
      ...(input.startedAt != null ? { started_at: input.startedAt } : {}),
      ...(input.completedAt != null ? { completed_at: input.completedAt } : {}),
      ...(o
        ? {
            output: {
              title: o.title,
              summary: o.summary,
              ...(o.text != null ? { text: o.text } : {}),
              ...(o.annotations
                ? {
                    annotations: o.annotations.map((a) => ({
                      path: a.path,
                      start_line: a.location.startLine,
                      end_line: a.location.endLine,
                      ...(a.location.startColumn != null
                        ? { start_column: a.location.startColumn }
                        : {}),
                      ...(a.location.endColumn != null ? { end_column: a.location.endColumn } : {}),
                      annotation_level: lower(a.annotationLevel),
                      message: a.message,
                      ...(a.title != null ? { title: a.title } : {}),
                      ...(a.rawDetails != null ? { raw_details: a.rawDetails } : {}),
                    })),
                  }
                : {}),
            },
          }
        : {}),
      ...(input.actions
        ? {
            actions: input.actions.map((a) => ({
              label: a.label,
              description: a.description,
              identifier: a.identifier,
            })),
          }
        : {}),
    };
    return { repo, body };
  }

  /**
   * `repository.pullRequest(number:)`: its head, reviews, timeline items (by `itemTypes`) and
   * commits (GitHub's 250 at most), each a connection of pages of at most 100, as GitHub has them.
   */
  #pullRequestNode(repo, number, faults) {
    const pr = repo.pulls.get(Number(number));
    if (!pr) return null;
    const baseTip = repo.branches.get(pr.base);
    return {
      __typename: "PullRequest",
      number: pr.number,
      state: pr.mergedAt !== undefined ? "MERGED" : pr.state === "open" ? "OPEN" : "CLOSED",
      headRefOid: pr.headSha,
      baseRefName: pr.base,
      changedFiles: repo.pullFiles(pr.number).length,
      author: pr.user.endsWith("[bot]")
        ? { __typename: "Bot", login: pr.user.slice(0, -5), databaseId: this.accountId(pr.user) }
        : { __typename: "User", login: pr.user, databaseId: this.accountId(pr.user) },
      headRepository: { nameWithOwner: pr.headRepo.fullName },
      // Like the REST listing (GitHub's 3,000 at most), without previous paths or blob ids.
      files: (args) =>
        fieldFault(faults, "files") ??
        connection(
          repo
            .pullFiles(pr.number)
            .slice(0, MAX_LISTED_FILES)
            .map((f) => ({
              path: f.filename,
              changeType: CHANGE_TYPES[f.status],
              additions: f.additions,
              deletions: f.deletions,
            })),
          args,
        ),
      // The branch as it is now (null once deleted), like GitHub's `baseRef`.
      baseRef:
        baseTip === undefined
          ? null
          : {
              name: pr.base,
              target: () => this.#gitNode(baseTip, faults),
              rules: (args) =>
                fieldFault(faults, "rules") ?? connection(refRules(repo, pr.base), args),
            },
      reviews: (args) =>
        connection(
          pr.reviews
            .filter((r) => !args.states || args.states.includes(r.state))
            .map((r) => ({
              databaseId: r.id,
              state: r.state,
              submittedAt: r.submittedAt,
              // The commit with its tree (only its id for one the store lacks).
              commit:
                r.commitId === null
                  ? null
                  : (this.#gitNode(r.commitId, faults) ?? { oid: r.commitId }),
              author:
                r.user === null
                  ? null
                  : r.user.endsWith("[bot]")
                    ? {
                        __typename: "Bot",
                        login: r.user.slice(0, -5),
                        databaseId: this.accountId(r.user),
                      }
                    : { __typename: "User", login: r.user, databaseId: this.accountId(r.user) },
            })),
          args,
        ),
      timelineItems: (args) =>
        connection(
          pr.events
            .map((e) => timelineItem(e))
            .filter((e) => e && (!args.itemTypes || args.itemTypes.includes(e.itemType))),
          args,
        ),
      commits: (args) =>
        connection(
          repo
            .pullCommitShas(pr.number)
            .slice(0, MAX_LISTED_COMMITS)
            .map((sha) => ({ commit: this.#commitNode(repo, sha, faults) })),
          args,
        ),
    };
  }

  /** A commit with what GraphQL says of its people and of the check suites on it. */
  #commitNode(repo, sha, faults = []) {
    const c = this.git.get(sha, "commit");
    const actor = (login) =>
      login !== null && login.endsWith("[bot]")
        ? // GitHub does not resolve bots to users; their noreply address names them.
          { email: `1+${login}@users.noreply.github.com`, user: null }
        : {
            email: `${login ?? "unlinked"}@example.com`,
            user: login === null ? null : { login, databaseId: this.accountId(login) },
          };
    return {
      __typename: "Commit",
      id: `C_${sha}`,
      oid: sha,
      message: c.message,
      author: actor(c.author),
      committer: actor(c.committer),
      authors: (args) => connection(this.#authorsOf(c), args),
      associatedPullRequests: (args) =>
        fieldFault(faults, "associatedPullRequests") ??
        connection(
          this.#pullsForCommit(repo, sha).map(({ repo: r, pr }) => ({
            number: pr.number,
            state: pr.mergedAt !== undefined ? "MERGED" : pr.state === "open" ? "OPEN" : "CLOSED",
            headRefOid: pr.headSha,
            baseRepository: { databaseId: r.id, nameWithOwner: r.fullName },
          })),
          args,
        ),
      checkSuites: (args) =>
        connection(
          this.checkSuites
            .filter(
              (x) =>
                x.repo === repo &&
                x.headSha === sha &&
                (args.filterBy?.appId == null || x.appId === args.filterBy.appId),
            )
            .map((suite) => ({
              app: { databaseId: suite.appId },
              repository: { databaseId: suite.repo.id },
              checkRuns: (a) => {
                let runs = this.checkRuns.filter((r) => r.suiteId === suite.id);
                if (a.filterBy?.checkName)
                  runs = runs.filter((r) => r.name === a.filterBy.checkName);
                // GitHub's default lists only the newest run of each name.
                if (a.filterBy?.checkType !== "ALL")
                  runs = runs.filter((r) => !runs.some((o) => o.name === r.name && o.id > r.id));
                return connection(
                  runs.map((r) => ({
                    databaseId: r.id,
                    name: r.name,
                    externalId: r.external_id,
                    startedAt: r.started_at ?? null,
                    status: r.status.toUpperCase(),
                    conclusion: r.conclusion === null ? null : r.conclusion.toUpperCase(),
                    summary: r.output.summary,
                    url: `${this.webUrl}/${r.repo.fullName}/runs/${r.id}`,
                    annotations: (n) => connection(r.annotations, n),
                  })),
                  a,
                );
              },
            })),
          args,
        ),
    };
  }

  /** `<rev>:<path>` (or a bare rev: its commit) as GitHub's rev-parse resolves it; else null. */
  #expressionNode(repo, expression, faults) {
    const text = String(expression);
    const colon = text.indexOf(":");
    let commit;
    try {
      commit = this.#resolveCommit(repo, colon < 0 ? text : text.slice(0, colon));
    } catch {
      return null;
    }
    if (colon < 0) return this.#gitNode(commit, faults);
    let sha = this.git.get(commit, "commit").tree;
    const path = text.slice(colon + 1).replace(/\/+$/, "");
    for (const seg of path === "" ? [] : path.split("/")) {
      const tree = this.git.get(sha, "tree");
      const next = tree?.entries.find((e) => e.name === seg);
      if (!next) return null;
      sha = next.sha;
    }
    return this.#gitNode(sha, faults);
  }

  /** A git object as a GraphQL GitObject (null for an id the store lacks: submodule commits). */
  #gitNode(oid, faults) {
    const o = this.git.get(String(oid));
    if (!o) return null;
    if (o.type === "commit")
      return {
        __typename: "Commit",
        oid,
        tree: this.#gitNode(o.tree, faults),
        file: ({ path }) => this.#fileEntry(o.tree, path, faults),
      };
    if (o.type === "blob") {
      const blob = { __typename: "Blob", oid, ...this.#graphqlBlob(o.bytes) };
      for (const f of faults.filter((f) => f.blob !== undefined && oid.startsWith(f.blob))) {
        if (f.text !== undefined) blob.text = f.text;
        if (f.binary) Object.assign(blob, { text: null, isBinary: true });
        if (f.truncate && typeof blob.text === "string")
          Object.assign(blob, {
            text: blob.text.slice(0, blob.text.length >> 1),
            isTruncated: true,
          });
      }
      return blob;
    }
    const entries = [];
    // Assumed: GraphQL lists no more of a tree than REST does (cut short, without saying so).
    for (const e of o.entries.slice(0, this.treeEntryLimit)) {
      const matching = faults.filter((f) => f.entry?.test(e.name));
      if (matching.some((f) => f.drop)) continue;
      const type = e.mode === "040000" ? "tree" : e.mode === "160000" ? "commit" : "blob";
      const entryOid = matching.find((f) => f.oid)?.oid ?? e.sha;
      entries.push({
        name: matching.find((f) => f.name)?.name ?? e.name,
        mode: parseInt(e.mode, 8),
        type,
        oid: entryOid,
        size: type === "blob" ? (this.git.get(e.sha, "blob")?.bytes.length ?? 0) : 0,
        object: () => this.#gitNode(e.sha, faults),
      });
    }
    return { __typename: "Tree", oid, entries };
  }

  /**
   * `Commit.file(path:)`: the tree entry at that path (never following a symlink), null when a
   * segment is missing or not a directory.
   */
  #fileEntry(treeSha, path, faults) {
    const segs = String(path).split("/");
    let sha = treeSha;
    let entry = null;
    for (const [i, seg] of segs.entries()) {
      const tree = this.git.get(sha, "tree");
      entry = tree?.entries.find((e) => e.name === seg);
      if (!entry || (i < segs.length - 1 && entry.mode !== "040000")) return null;
      sha = entry.sha;
    }
    if (faults.some((f) => f.drop && f.entry?.test(entry.name))) return null;
    const type = entry.mode === "040000" ? "tree" : entry.mode === "160000" ? "commit" : "blob";
    return {
      name: entry.name,
      path: String(path),
      mode: parseInt(entry.mode, 8),
      type,
      oid: entry.sha,
      size: type === "blob" ? (this.git.get(entry.sha, "blob")?.bytes.length ?? 0) : 0,
      object: () => this.#gitNode(entry.sha, faults),
    };
  }

  /** Like GitHub: NUL bytes make a blob binary (no text); long text is cut at the limit. */
  #graphqlBlob(bytes) {
    const isBinary = bytes.subarray(0, 8000).includes(0);
    const isTruncated = bytes.length > this.graphqlTextLimit;
    // Buffer decoding replaces invalid UTF-8, as a JSON string must.
    const text = isBinary ? null : bytes.subarray(0, this.graphqlTextLimit).toString("utf8");
    return { text, isBinary, isTruncated, byteSize: bytes.length };
  }
}

/**
 * A GraphQL connection's page (`first` or `last` at most 100, like GitHub; cursors are offsets):
 * `first` after a cursor, or the `last` ones of the list.
 */
function connection(list, { first, after, last } = {}) {
  const size = last ?? first;
  if (!Number.isInteger(size) || size < 1 || size > 100 || (first != null && last != null))
    throw new Error("`first` or `last` must be between 1 and 100");
  const start = last != null ? Math.max(0, list.length - last) : after ? Number(after) : 0;
  const nodes = list.slice(start, start + size);
  const end = start + nodes.length;
  return {
    totalCount: list.length,
    pageInfo: {
      hasNextPage: end < list.length,
      hasPreviousPage: start > 0,
      endCursor: nodes.length > 0 ? String(end) : null,
    },
    nodes,
  };
}

/** `Ref.rules` of a branch, as `repo.graphqlRules` says GitHub shows them. */
function refRules(repo, branch) {
  if (repo.graphqlRules === "hidden") return [];
  return repo.rulesets
    .filter(
      (rs) =>
        rs.branches.includes(branch) &&
        (repo.graphqlRules === "all" || (rs.enforcement ?? "active") === "active"),
    )
    .map((rs) => ({
      type: "REQUIRED_STATUS_CHECKS",
      parameters: {
        __typename: "RequiredStatusChecksParameters",
        doNotEnforceOnCreate: false,
        strictRequiredStatusChecksPolicy: false,
        requiredStatusChecks: rs.checks.map((c) => ({
          context: c.context,
          integrationId: c.integration_id ?? null,
        })),
      },
      repositoryRuleset:
        repo.graphqlRules === "unseen"
          ? null
          : {
              databaseId: rs.id,
              enforcement: (rs.enforcement ?? "active").toUpperCase(),
              source: rs.organization
                ? { __typename: "Organization", login: rs.organization }
                : { __typename: "Repository", nameWithOwner: repo.fullName },
            },
    }));
}

/** A `fieldError` fault for this field: thrown, so GraphQL answers null and names its path. */
function fieldFault(faults, field) {
  if (faults.some((f) => f.fieldError === field))
    throw new Error(`Something went wrong while resolving ${field}.`);
  return null;
}

/** REST's file status → GraphQL's PatchStatus ("unchanged" files are not listed there). */
const CHANGE_TYPES = {
  added: "ADDED",
  removed: "DELETED",
  modified: "MODIFIED",
  renamed: "RENAMED",
  copied: "COPIED",
  changed: "CHANGED",
};

/** An issue event as the timeline item GraphQL lists for it (null: one the app never asks for). */
function timelineItem(e) {
  const at = { createdAt: e.created_at };
  switch (e.event) {
    case "base_ref_changed":
      return { __typename: "BaseRefChangedEvent", itemType: "BASE_REF_CHANGED_EVENT", ...at };
    case "automatic_base_change_succeeded":
      return {
        __typename: "AutomaticBaseChangeSucceededEvent",
        itemType: "AUTOMATIC_BASE_CHANGE_SUCCEEDED_EVENT",
        ...at,
      };
    case "base_ref_force_pushed":
      return {
        __typename: "BaseRefForcePushedEvent",
        itemType: "BASE_REF_FORCE_PUSHED_EVENT",
        ...at,
      };
    case "review_dismissed":
      return {
        __typename: "ReviewDismissedEvent",
        itemType: "REVIEW_DISMISSED_EVENT",
        ...at,
        previousReviewState: String(e.dismissed_review?.state ?? "").toUpperCase(),
        review: { databaseId: e.dismissed_review?.review_id },
      };
    default:
      return null;
  }
}

/**
 * normalizeGraphql of a query text, kept by text: the app sends the same few texts thousands of
 * times per file, and four regular-expression passes over each (several kilobytes) cost about 2%
 * of a GitHub test file's CPU. Pure in the text, so keeping it changes no answer.
 */
const shapes = new Map();
function shapeOf(query) {
  let shape = shapes.get(query);
  if (shape === undefined) {
    shape = normalizeGraphql(query);
    if (shapes.size >= 1000) shapes.clear();
    shapes.set(query, shape);
  }
  return shape;
}

/** Whitespace, comments and the operation name do not matter; everything else does. */
function normalizeGraphql(query) {
  return query
    .replace(/#[^\n]*/g, "")
    .replace(/\s+/g, " ")
    .replace(/ ?([{}():,!]) ?/g, "$1")
    .replace(/^query \w+\(/, "query(")
    .trim();
}

const BASE_DIRECTORY_SHAPE =
  normalizeGraphql(`query($owner: String!, $name: String!, $expression: String!) {
  repository(owner: $owner, name: $name) {
    object(expression: $expression) {
      ... on Tree { entries { name oid type object { ... on Blob { text isBinary isTruncated byteSize } } } }
    }
  }
}`);

const MERGED_PULLS_SHAPE = normalizeGraphql(`query($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Commit { oid associatedPullRequests(first: 20) { totalCount nodes { number mergedAt headRefOid baseRefName mergeCommit { oid } baseRepository { nameWithOwner } } } }
  }
}`);

const CO_AUTHORS_SHAPE = normalizeGraphql(`query($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Commit { oid authors(first: 100) { totalCount nodes { name email user { login databaseId } } } }
  }
}`);

const MERGE_QUEUE_SHAPE =
  normalizeGraphql(`query($owner: String!, $name: String!, $branch: String!, $after: String) {
  repository(owner: $owner, name: $name) {
    mergeQueue(branch: $branch) {
      entries(first: 100, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes {
          position
          state
          headCommit { oid }
          baseCommit { oid }
          pullRequest { number headRefOid baseRefName }
        }
      }
    }
  }
}`);
