import type { ActionFunctionArgs } from "@remix-run/node";
import { toResponse } from "~/http/lean-answer";
import { eventsAnswer } from "~/http/proxy-events.server";

/** POST /apps/cartlift/events: app/http/proxy-events.server.ts (a GET is refused there). */
export const action = async ({ request }: ActionFunctionArgs) =>
  toResponse(await eventsAnswer(request));
export const loader = action;
