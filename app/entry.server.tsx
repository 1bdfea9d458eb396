import { PassThrough } from "node:stream";
import { renderToPipeableStream } from "react-dom/server";
import { RemixServer } from "@remix-run/react";
import {
  createReadableStreamFromReadable,
  type EntryContext,
} from "@remix-run/node";
import { isbot } from "isbot";
import { addDocumentResponseHeaders } from "./shopify.server";
import { env } from "./env.server";
import { startNextOfferRunner } from "./services/flow/next-offer-runner.server";
import type { LeanRoute } from "./http/lean-answer";
import { livenessAnswer, readinessAnswer } from "./http/probes.server";
import { eventsAnswer } from "./http/proxy-events.server";
import { recommendationsAnswer } from "./http/proxy-recommendations.server";

export const streamTimeout = 5000;

/**
 * The server process's periodic jobs, started by the production server and the demo
 * (app/http/server-jobs.ts) from the build's own modules, never by tests. Returns their stop.
 */
export function startJobs(): () => void {
  if (env.NEXT_OFFER_RUN_MINUTES === 0) return () => {};
  return startNextOfferRunner(env.NEXT_OFFER_RUN_MINUTES * 60_000);
}

/**
 * What the routes of the storefront's app proxy and the probes answer, by route id: their loaders
 * and actions call the same functions. The production server and the demo answer these routes
 * without Remix (app/http/lean-routes.ts), from the build's own modules.
 */
export const leanAnswers: Record<string, LeanRoute> = {
  "routes/proxy.recommendations": recommendationsAnswer,
  "routes/proxy.events": eventsAnswer,
  "routes/healthz": livenessAnswer,
  "routes/readyz": readinessAnswer,
};

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  addDocumentResponseHeaders(request, responseHeaders);
  const userAgent = request.headers.get("user-agent");
  // Bots get the whole document at once; browsers get it streamed.
  const callbackName = isbot(userAgent ?? "") ? "onAllReady" : "onShellReady";

  return new Promise((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(
      <RemixServer context={remixContext} url={request.url} />,
      {
        [callbackName]: () => {
          const body = new PassThrough();
          const stream = createReadableStreamFromReadable(body);
          responseHeaders.set("Content-Type", "text/html");
          resolve(
            new Response(stream, {
              headers: responseHeaders,
              status: responseStatusCode,
            }),
          );
          pipe(body);
        },
        onShellError(error) {
          reject(error);
        },
        onError(error) {
          responseStatusCode = 500;
          console.error(error);
        },
      },
    );
    setTimeout(abort, streamTimeout + 1000);
  });
}
