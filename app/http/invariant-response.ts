/**
 * Ends a loader or action with an expected failure: a thrown Response with a merchant-readable
 * message (400 unless `init` says otherwise, e.g. 404 for a record the shop does not have). Remix
 * renders it in the route's error boundary (app/http/admin-boundary.ts), never as a 500. The
 * message is shown as HTML there, so it must be fixed text, never request input.
 */
export function invariantResponse(
  condition: unknown,
  message: string,
  init?: ResponseInit,
): asserts condition {
  if (!condition) throw new Response(message, { status: 400, ...init });
}
