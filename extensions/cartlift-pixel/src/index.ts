import { register } from "@shopify/web-pixels-extension";
import { pixel } from "./pixel";

// text/plain and keepalive: a simple request that outlives the page (the thank-you page may be
// left at once), with no preflight from the sandbox's opaque origin.
register(
  pixel((url, body) =>
    fetch(url, {
      method: "POST",
      body,
      keepalive: true,
      headers: { "Content-Type": "text/plain;charset=UTF-8" },
    }),
  ),
);
