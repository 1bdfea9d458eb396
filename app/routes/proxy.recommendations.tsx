import type { LoaderFunctionArgs } from "@remix-run/node";
import { toResponse } from "~/http/lean-answer";
import { recommendationsAnswer } from "~/http/proxy-recommendations.server";

/** GET /apps/cartlift/recommendations: app/http/proxy-recommendations.server.ts. */
export const loader = async ({ request }: LoaderFunctionArgs) =>
  toResponse(await recommendationsAnswer(request));
