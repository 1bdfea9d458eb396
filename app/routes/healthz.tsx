/** Liveness: the process is up and serving. Load balancers restart the instance when this fails. */
export const loader = () =>
  new Response("ok", {
    headers: { "Content-Type": "text/plain", "Cache-Control": "no-store" },
  });
