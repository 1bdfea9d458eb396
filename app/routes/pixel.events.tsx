import type { ActionFunctionArgs } from "@remix-run/node";
import { readBounded } from "~/http/bounded-body.server";
import { clientAddress } from "~/services/platform/rate-limit.server";
import {
  InvalidPixelEventsError,
  MAX_PIXEL_BODY_BYTES,
  UnknownPixelError,
  allowPixelBatch,
  storePixelEvents,
  verifyPixelBatch,
} from "~/services/measurement/pixel-events.server";

// The web pixel's worker has an opaque origin and posts text/plain (a simple request, no
// preflight); the answer is readable by any origin because it holds nothing but a status.
const headers = {
  "Cache-Control": "no-store",
  "Access-Control-Allow-Origin": "*",
};
const problem = (status: number, error: string, issues?: string[]) =>
  Response.json({ error, issues }, { status, headers });

/**
 * POST /pixel/events: customer events from the web pixel (extensions/cartlift-pixel), for the
 * shop whose pixel key the body carries. A batch is stored whole or not at all; an event id
 * already stored is skipped.
 */
export const action = async ({ request }: ActionFunctionArgs) => {
  if (request.method === "OPTIONS")
    return new Response(null, {
      status: 204,
      headers: {
        ...headers,
        "Access-Control-Allow-Methods": "POST",
        "Access-Control-Allow-Headers": "Content-Type",
        "Access-Control-Max-Age": "86400",
      },
    });
  if (request.method !== "POST")
    return problem(405, "Pixel events are sent with POST");
  const text = await readBounded(request, MAX_PIXEL_BODY_BYTES);
  if (text === null)
    return problem(
      413,
      `Pixel batches are limited to ${MAX_PIXEL_BODY_BYTES} bytes`,
    );
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return problem(400, "The body must be JSON");
  }
  try {
    const { batch, rows } = await verifyPixelBatch(body);
    if (!allowPixelBatch(batch.shop, batch.client, clientAddress(request)))
      return problem(429, "Too many pixel events; retry later");
    const stored = await storePixelEvents(batch.shop, rows);
    return Response.json({ stored }, { status: 202, headers });
  } catch (error) {
    if (error instanceof InvalidPixelEventsError)
      return problem(400, "Invalid pixel events", error.issues);
    if (error instanceof UnknownPixelError)
      return problem(401, "Unknown shop or pixel key");
    throw error;
  }
};

export const loader = () => problem(405, "Pixel events are sent with POST");
