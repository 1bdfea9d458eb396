import type { RequestHandler } from "express";
import {
  type ServerBuild,
  createReadableStreamFromReadable,
} from "@remix-run/node";

/**
 * The storefront's app proxy routes, and the probes, answered by their own route modules' loader
 * and action without Remix's request handling: matching a path against every admin route, then
 * the document and data request machinery, costs a storefront request more than its own work
 * does (decision 024). The functions are the build's own, so auth, validation and handlers stay
 * one implementation, sharing the caches of the Remix routes in the same process. The probes take
 * the same path so that `/healthz` measures this server's floor, the baseline of bench:proxy.
 */
const LEAN_ROUTE_IDS = [
  "routes/proxy.recommendations",
  "routes/proxy.events",
  "routes/healthz",
  "routes/readyz",
] as const;

export type LeanHandler = (request: Request) => Promise<Response>;

/** Each lean route's path ("/proxy/recommendations") with its handler. */
export function leanRoutes(build: ServerBuild): Map<string, LeanHandler> {
  return new Map(
    LEAN_ROUTE_IDS.map((id) => {
      const route = build.routes[id];
      if (!route?.path)
        throw new Error(`The server build has no route ${id} with a path`);
      return [`/${route.path}`, handlerOf(build, route.module)];
    }),
  );
}

function handlerOf(
  build: ServerBuild,
  module: ServerBuild["routes"][string]["module"],
): LeanHandler {
  return async (request) => {
    const reading = request.method === "GET" || request.method === "HEAD";
    const handler = reading ? module.loader : module.action;
    if (!handler) return new Response(null, { status: 405 });
    const args = { request, params: {}, context: {} };
    try {
      const answer = await handler(args);
      if (answer instanceof Response) return answer;
      throw new Error(`${request.method} ${request.url}: not a Response`);
    } catch (thrown) {
      // A route throws a Response for an expected refusal (a bad signature: 401).
      if (thrown instanceof Response) return thrown;
      (build.entry.module.handleError ?? console.error)(thrown, args);
      return new Response("Unexpected Server Error", { status: 500 });
    }
  };
}

/** Express middleware answering the lean routes, and passing every other request on. */
export function leanRoutesHandler(build: ServerBuild): RequestHandler {
  const lean = leanRoutes(build);
  return async (req, res, next) => {
    const handle = lean.get(req.path);
    if (!handle) return next();
    try {
      const headers = new Headers();
      for (const [key, value] of Object.entries(req.headers))
        for (const one of [value ?? []].flat()) headers.append(key, one);
      const reading = req.method === "GET" || req.method === "HEAD";
      const response = await handle(
        new Request(
          `http://${req.headers.host ?? "localhost"}${req.originalUrl}`,
          {
            method: req.method,
            headers,
            body: reading ? undefined : createReadableStreamFromReadable(req),
            // A streamed body (undici requires saying so).
            duplex: "half",
          } as RequestInit,
        ),
      );
      res.status(response.status);
      response.headers.forEach((value, key) => res.setHeader(key, value));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (error) {
      next(error);
    }
  };
}
