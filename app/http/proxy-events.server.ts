import { type LeanRequest, jsonAnswer } from "./lean-answer";
import { authenticateProxy } from "~/shopify.server";
import {
  InvalidEventsError,
  MAX_EVENT_BODY_BYTES,
  allowEventBatch,
  recordEvents,
} from "~/services/storefront/events.server";
import { clientAddress } from "~/services/platform/rate-limit.server";
import { readBounded } from "./bounded-body.server";

const noStore = { "Cache-Control": "no-store" };
const problem = (status: number, error: string, issues?: string[]) =>
  jsonAnswer({ error, issues }, status, noStore);

/**
 * POST /apps/cartlift/events: a batch of storefront events, as navigator.sendBeacon sends it
 * (text/plain JSON). Stored for the signed shop only; a bad batch stores nothing.
 * Its route's action and loader (app/routes/proxy.events.tsx), and a lean route (lean-routes.ts).
 */
export async function eventsAnswer(request: LeanRequest) {
  const { shop } = authenticateProxy(request);
  if (request.method !== "POST")
    return problem(405, "Events are sent with POST");
  const text = await readBounded(request, MAX_EVENT_BODY_BYTES);
  if (text === null)
    return problem(
      413,
      `Event batches are limited to ${MAX_EVENT_BODY_BYTES} bytes`,
    );
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return problem(400, "The body must be JSON");
  }
  const visitor =
    typeof (body as { visitor?: unknown })?.visitor === "string"
      ? (body as { visitor: string }).visitor.slice(0, 64)
      : "";
  if (!allowEventBatch(shop, visitor, clientAddress(request)))
    return problem(429, "Too many event batches; retry later");
  try {
    const stored = await recordEvents(shop, body);
    return jsonAnswer({ stored }, 202, noStore);
  } catch (error) {
    if (error instanceof InvalidEventsError)
      return problem(400, "Invalid events", error.issues);
    throw error;
  }
}
