// Demo-mode stand-in for Shopify App Bridge. Outside Shopify admin nothing hands the app a
// session token, so this script asks the demo server to mint one (signed with the demo's
// secret and verified by the app's real auth code), adds it to the app's own requests as
// App Bridge does, and answers the bounce page. It is only served by `npm run demo`.
(() => {
  const script = document.currentScript;
  const params = new URLSearchParams(location.search);
  const nativeFetch = window.fetch.bind(window);
  let cached = null;

  async function idToken() {
    if (cached && cached.expires > Date.now()) return cached.token;
    const response = await nativeFetch("/demo/session-token", {
      cache: "no-store",
    });
    const token = await response.text();
    cached = { token, expires: Date.now() + 30_000 };
    return token;
  }

  window.fetch = async (input, init = {}) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.origin !== location.origin || url.pathname.startsWith("/demo/"))
      return nativeFetch(request);
    const headers = new Headers(request.headers);
    if (!headers.has("Authorization"))
      headers.set("Authorization", `Bearer ${await idToken()}`);
    return nativeFetch(new Request(request, { headers }));
  };

  function toast(message, { isError = false } = {}) {
    const el = document.createElement("div");
    el.setAttribute("role", "status");
    el.textContent = message;
    el.style.cssText = `position:fixed;bottom:24px;left:50%;transform:translateX(-50%);padding:10px 16px;border-radius:8px;font:14px system-ui;color:#fff;z-index:1000;background:${isError ? "#8e1f0b" : "#1a1a1a"}`;
    document.body.append(el);
    setTimeout(() => el.remove(), 3000);
  }

  window.shopify = {
    config: {
      apiKey: script?.dataset.apiKey,
      shop: params.get("shop"),
      host: params.get("host"),
    },
    idToken,
    toast: { show: toast },
    loading: () => {},
  };

  // The library's bounce page: reload the requested URL with a fresh session token.
  if (location.pathname === "/auth/session-token") {
    const target = new URL(
      params.get("shopify-reload") || "/app",
      location.origin,
    );
    idToken().then((token) => {
      target.searchParams.set("id_token", token);
      location.replace(target.href);
    });
  }

  // Admin renders the nav menu beside the app; here it becomes a plain bar above it.
  customElements.define(
    "ui-nav-menu",
    class extends HTMLElement {
      connectedCallback() {
        this.setAttribute("role", "navigation");
        this.setAttribute("aria-label", "Cartlift");
        this.style.cssText =
          "display:flex;gap:16px;padding:12px 20px;background:#1a1a1a;font:14px system-ui";
        for (const link of this.querySelectorAll("a"))
          link.style.color = "#fff";
      }
    },
  );
})();
