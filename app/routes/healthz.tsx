import { toResponse } from "~/http/lean-answer";
import { livenessAnswer } from "~/http/probes.server";

/** GET /healthz: app/http/probes.server.ts. */
export const loader = async () => toResponse(await livenessAnswer());
