/**
 * Revisions resolved together (Git.resolveMany, one `git cat-file --batch-check`): the same
 * answers as one `rev-parse --verify` each, and a name cannot smuggle in an option or a second
 * request.
 */
import { Git } from "../../src/cli/git.js";
import { resolveRevisions } from "../../src/cli/changeset.js";
import { TempRepo } from "../support/git-repo.js";

let repo: TempRepo;
let git: Git;
beforeEach(async () => {
  repo = new TempRepo();
  repo.write({ "a.txt": "a\n" }).commit("one");
  repo.git("tag", "-a", "-m", "annotated", "v1");
  repo.branch("feature");
  repo.write({ "b.txt": "b\n" }).commit("two");
  git = (await Git.open(repo.dir))!;
});
afterEach(() => repo.cleanup());

test("each name resolves as rev-parse --verify NAME^{commit} does", async () => {
  const names = ["main", "feature", "HEAD", "HEAD~1", "v1", "nope", "main..feature", "", "-n"];
  const many = await git.resolveMany(names);
  for (const n of names) expect([n, many.get(n)]).toEqual([n, await git.tryResolve(n)]);
  expect(many.get("v1")).toBe(repo.git("rev-parse", "main").trim());
});

test("a name with a line break is no revision (not a second request)", async () => {
  const many = await git.resolveMany(["main\nfeature", "feature"]);
  expect(many.get("main\nfeature")).toBeNull();
  expect(many.get("feature")).toBe(repo.git("rev-parse", "feature").trim());
});

test("resolveRevisions: an unknown --head or --base is named; the default base is main's merge base", async () => {
  await expect(resolveRevisions(git, "main", "nope")).rejects.toThrow(/unknown revision "nope"/);
  await expect(resolveRevisions(git, "-n")).rejects.toThrow(/unknown revision "-n"/);
  const d = await resolveRevisions(git);
  const main = repo.git("rev-parse", "main").trim();
  expect(d).toEqual({ base: { ref: "main", sha: main }, head: null, from: main });
  const e = await resolveRevisions(git, "feature", "main");
  expect(e.from).toBe(main);
  expect(e.base.sha).toBe(repo.git("rev-parse", "feature").trim());
});
