import type { LeanRequest } from "./lean-answer";

/**
 * A request body as text, reading at most `max` bytes; null when the body is larger (whatever
 * Content-Length claims). Public endpoints read their bodies through it so a large upload is cut
 * off instead of buffered.
 */
export async function readBounded(
  request: Pick<LeanRequest, "headers" | "body">,
  max: number,
): Promise<string | null> {
  if (Number(request.headers.get("Content-Length") ?? 0) > max) return null;
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
