import { databaseReady } from "~/services/platform/health.server";

/**
 * Readiness: the instance can serve real traffic (its database answers). A failing instance is
 * taken out of rotation without being restarted, and comes back when the database does.
 */
export const loader = async () => {
  const ready = await databaseReady();
  return Response.json(
    { status: ready ? "ready" : "database unavailable" },
    { status: ready ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
};
