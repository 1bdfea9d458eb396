/**
 * What the lean routes (lean-routes.ts: the storefront's app proxy routes and the probes) read of a
 * request and give back. A Web Request has all a route reads, so Remix can call the same function
 * from the route's loader; the production server hands it express's request as it is, and writes
 * the answer to Node's response without building a Web Request and Response around every
 * storefront request, which cost a recommendation more than its own ranking (decision 024).
 */
export interface LeanRequest {
  readonly method: string;
  /** Absolute, as a Web Request's. */
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  /** Null for GET and HEAD. */
  readonly body: ReadableStream<Uint8Array> | null;
}

export interface LeanAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A lean route: a route's whole work, from request to answer. */
export type LeanRoute = (request: LeanRequest) => Promise<LeanAnswer>;

export function jsonAnswer(
  value: unknown,
  status = 200,
  headers: Record<string, string> = {},
): LeanAnswer {
  return {
    status,
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(value),
  };
}

export function toResponse({ status, headers, body }: LeanAnswer): Response {
  return new Response(body, { status, headers });
}

/** The query of a request's address, without parsing the rest of it. */
export function queryOf(request: LeanRequest): URLSearchParams {
  const start = request.url.indexOf("?");
  return new URLSearchParams(start < 0 ? "" : request.url.slice(start + 1));
}
