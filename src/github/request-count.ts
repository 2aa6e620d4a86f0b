/**
 * Counts the API requests an Octokit instance sends (an Octokit hook), so every evaluation can log
 * its cost and tests can pin it: it must not grow with the number of merged migrations.
 */
import type { GitHubClient } from "./client.js";

const counters = new WeakMap<GitHubClient, { n: number }>();

/** Installs the hook once per client; returns a reader of the running total. */
export function requestCounter(octokit: GitHubClient): () => number {
  let c = counters.get(octokit);
  if (!c) {
    const counter = { n: 0 };
    octokit.hook.before("request", () => {
      counter.n++;
    });
    counters.set(octokit, counter);
    c = counter;
  }
  const counter = c;
  return () => counter.n;
}
