import { toResponse } from "~/http/lean-answer";
import { readinessAnswer } from "~/http/probes.server";

/** GET /readyz: app/http/probes.server.ts. */
export const loader = async () => toResponse(await readinessAnswer());
