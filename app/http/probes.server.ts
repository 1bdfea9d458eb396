import { databaseReady } from "~/services/platform/health.server";
import { type LeanAnswer, jsonAnswer } from "./lean-answer";

const OK: LeanAnswer = {
  status: 200,
  headers: { "Content-Type": "text/plain", "Cache-Control": "no-store" },
  body: "ok",
};

/**
 * Liveness: the process is up and serving. Load balancers restart the instance when this fails.
 * A lean route (lean-routes.ts), as the storefront's are, so that it measures their floor.
 */
export const livenessAnswer = async () => OK;

/**
 * Readiness: the instance can serve real traffic (its database answers). A failing instance is
 * taken out of rotation without being restarted, and comes back when the database does.
 */
export async function readinessAnswer() {
  const ready = await databaseReady();
  return jsonAnswer(
    { status: ready ? "ready" : "database unavailable" },
    ready ? 200 : 503,
    { "Cache-Control": "no-store" },
  );
}
