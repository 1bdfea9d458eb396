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

  // Admin's resource picker, reduced to a dialog listing the shop's imported products (or the
  // collections they belong to), read from the app's own catalog endpoint.
  function resourcePicker({
    type = "product",
    multiple = false,
    selectionIds = [],
  } = {}) {
    return new Promise((resolve) => {
      const chosen = new Map(selectionIds.map((s) => [s.id, s.id]));
      const dialog = document.createElement("dialog");
      dialog.setAttribute("aria-label", `Select ${type}s`);
      dialog.style.cssText =
        "width:min(420px,calc(100vw - 64px));max-height:70vh;padding:16px;border:1px solid #ccc;border-radius:12px;font:14px system-ui";
      const heading = document.createElement("h2");
      heading.textContent = `Select ${type === "product" ? "products" : "a collection"}`;
      const search = document.createElement("input");
      search.type = "search";
      search.setAttribute("aria-label", `Search ${type}s`);
      search.style.cssText = "width:100%;margin:8px 0;padding:6px";
      const list = document.createElement("div");
      list.style.cssText = "max-height:45vh;overflow:auto";
      const buttons = document.createElement("div");
      buttons.style.cssText =
        "display:flex;gap:8px;justify-content:flex-end;margin-top:12px";
      const cancel = document.createElement("button");
      cancel.textContent = "Cancel";
      const select = document.createElement("button");
      select.textContent = "Select";
      buttons.append(cancel, select);
      dialog.append(heading, search, list, buttons);
      document.body.append(dialog);
      const titles = new Map();
      async function load() {
        const response = await window.fetch(
          `/app/catalog?${new URLSearchParams({ type, query: search.value })}`,
        );
        const items = await response.json();
        list.replaceChildren(
          ...items.map((item) => {
            titles.set(item.id, item.title);
            const label = document.createElement("label");
            label.style.cssText = "display:flex;gap:8px;padding:4px 0";
            const box = document.createElement("input");
            box.type = multiple ? "checkbox" : "radio";
            box.name = "demo-picker";
            box.checked = chosen.has(item.id);
            box.addEventListener("change", () => {
              if (!multiple) chosen.clear();
              if (box.checked) chosen.set(item.id, item.id);
              else chosen.delete(item.id);
            });
            label.append(box, item.title);
            return label;
          }),
        );
      }
      let timer;
      search.addEventListener("input", () => {
        clearTimeout(timer);
        timer = setTimeout(load, 150);
      });
      const close = (value) => {
        dialog.close();
        dialog.remove();
        resolve(value);
      };
      cancel.addEventListener("click", () => close(undefined));
      select.addEventListener("click", () =>
        close([...chosen.keys()].map((id) => ({ id, title: titles.get(id) }))),
      );
      dialog.addEventListener("cancel", () => close(undefined));
      dialog.showModal();
      load();
    });
  }

  window.shopify = {
    resourcePicker,
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

  // Admin renders the nav menu beside the app; here it becomes a plain bar above it, wrapping
  // on a phone rather than widening the page.
  customElements.define(
    "ui-nav-menu",
    class extends HTMLElement {
      connectedCallback() {
        this.setAttribute("role", "navigation");
        this.setAttribute("aria-label", "Cartlift");
        this.style.cssText =
          "display:flex;flex-wrap:wrap;gap:8px 16px;padding:12px 20px;background:#1a1a1a;font:14px system-ui";
        // A stylesheet in <head>, not inline styles (the links render after this element connects)
        // and not inside the element (React owns its children; a foreign node breaks hydration).
        if (document.getElementById("cartlift-demo-nav")) return;
        const style = document.createElement("style");
        style.id = "cartlift-demo-nav";
        style.textContent =
          "ui-nav-menu a { color: #fff; text-decoration: none } ui-nav-menu a:hover, ui-nav-menu a:focus-visible { text-decoration: underline }";
        document.head.append(style);
      }
    },
  );
})();
