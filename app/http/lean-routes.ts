import type { IncomingMessage } from "node:http";
import type { RequestHandler } from "express";
import {
  type ServerBuild,
  createReadableStreamFromReadable,
} from "@remix-run/node";
import type { LeanAnswer, LeanRequest, LeanRoute } from "./lean-answer";

/**
 * The storefront's app proxy routes, and the probes, answered by the functions their loaders and
 * actions call (`leanAnswers` in app/entry.server.tsx) without Remix's request handling: matching
 * a path against every admin route, then the document and data request machinery, and a Web
 * Request and Response around each request, cost a storefront request more than its own work does
 * (decision 024). The functions are the build's own, so auth, validation and handlers stay one
 * implementation, sharing the caches of the Remix routes in the same process. The probes take the
 * same path so that `/healthz` measures this server's floor, the baseline of bench:proxy.
 */
export function leanRoutes(build: ServerBuild): Map<string, LeanRoute> {
  const answers = (
    build.entry.module as { leanAnswers?: Record<string, LeanRoute> }
  ).leanAnswers;
  if (!answers) throw new Error("The server build's entry has no leanAnswers");
  return new Map(
    Object.entries(answers).map(([id, answer]) => {
      const route = build.routes[id];
      if (!route?.path)
        throw new Error(`The server build has no route ${id} with a path`);
      // As Remix answers: a route without an action takes no POST.
      const methods = route.module.action ? null : ["GET", "HEAD"];
      return [`/${route.path}`, guarded(answer, methods)];
    }),
  );
}

function guarded(answer: LeanRoute, methods: string[] | null): LeanRoute {
  return async (request) => {
    if (methods && !methods.includes(request.method))
      return { status: 405, headers: { Allow: methods.join(", ") }, body: "" };
    try {
      return await answer(request);
    } catch (thrown) {
      // A route throws a Response for an expected refusal (a bad signature: 401).
      if (thrown instanceof Response)
        return {
          status: thrown.status,
          headers: Object.fromEntries(thrown.headers),
          body: await thrown.text(),
        };
      // As Remix logs an error when the entry has no handleError (app/entry.server.tsx has none).
      console.error(thrown);
      return {
        status: 500,
        headers: { "Content-Type": "text/plain" },
        body: "Unexpected Server Error",
      };
    }
  };
}

/** Express's request as a lean route reads it: its headers are read in place, not copied. */
function leanRequest(req: IncomingMessage & { originalUrl: string }) {
  const reading = req.method === "GET" || req.method === "HEAD";
  return {
    method: req.method ?? "GET",
    url: `http://${req.headers.host ?? "localhost"}${req.originalUrl}`,
    headers: {
      get(name: string) {
        const value = req.headers[name.toLowerCase()];
        return value === undefined ? null : [value].flat().join(", ");
      },
    },
    body: reading ? null : createReadableStreamFromReadable(req),
  } satisfies LeanRequest;
}

/** Express middleware answering the lean routes, and passing every other request on. */
export function leanRoutesHandler(build: ServerBuild): RequestHandler {
  const lean = leanRoutes(build);
  return async (req, res, next) => {
    const answer = lean.get(req.path);
    if (!answer) return next();
    try {
      const { status, headers, body }: LeanAnswer = await answer(
        leanRequest(req),
      );
      res.writeHead(status, {
        ...headers,
        "Content-Length": Buffer.byteLength(body),
      });
      res.end(body);
    } catch (error) {
      next(error);
    }
  };
}
