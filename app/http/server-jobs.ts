import type { ServerBuild } from "@remix-run/node";

/**
 * Starts the build's periodic jobs (`startJobs` in app/entry.server.tsx). Taken from the server
 * build, like the lean routes, so the jobs share the routes' Shopify instance, database client and
 * caches instead of a second copy of each. Returns their stop.
 */
export function startServerJobs(build: ServerBuild): () => void {
  const { startJobs } = build.entry.module as { startJobs?: unknown };
  if (typeof startJobs !== "function")
    throw new Error("The server build's entry exports no startJobs");
  return (startJobs as () => () => void)();
}
