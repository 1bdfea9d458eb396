// Cartlift storefront: one custom element that fills a block with offers from the app proxy.
// Liquid renders; this only enhances. It loads when the block nears the viewport, gives up
// silently after a timeout (the block then shows nothing), and talks to the cart only through
// Shopify's Ajax API, standard events and the Section Rendering API, never a theme's globals.
(() => {
  if (customElements.get("cartlift-offers")) return;
  const TIMEOUT = 2500;
  const KEY = "_cartlift_visitor";
  let visitorId;
  const visitor = () => {
    if (visitorId) return visitorId;
    try {
      visitorId = localStorage.getItem(KEY);
    } catch {
      /* storage blocked: a per-page id still groups this page's events */
    }
    if (!/^[a-f0-9]{32}$/.test(visitorId || "")) {
      visitorId = [...crypto.getRandomValues(new Uint8Array(16))]
        .map((b) => b.toString(16).padStart(2, "0"))
        .join("");
      try {
        localStorage.setItem(KEY, visitorId);
      } catch {
        /* see above */
      }
    }
    return visitorId;
  };
  const timed = (url, init = {}) => {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), TIMEOUT);
    return fetch(url, { ...init, signal: abort.signal })
      .then((r) => (r.ok ? r : Promise.reject(r.status)))
      .finally(() => clearTimeout(timer));
  };
  const json = (body) => ({
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });

  // Events are batched and sent with sendBeacon (text/plain: no CORS preflight, survives unload).
  const queue = [];
  let proxy = "/apps/cartlift";
  let flushTimer;
  const flush = () => {
    clearTimeout(flushTimer);
    while (allowed && queue.length) {
      const events = queue.splice(0, 50);
      navigator.sendBeacon?.(
        `${proxy}/events`,
        JSON.stringify({ visitor: visitor(), events }),
      );
    }
  };
  const track = (type, el, productId) => {
    if (!allowed) return;
    queue.push({
      type,
      token: el.dataset.token,
      ...(productId ? { product_id: productId } : {}),
    });
    clearTimeout(flushTimer);
    flushTimer = setTimeout(flush, 2000);
  };
  addEventListener("pagehide", flush);

  // An impression is an offer seen, once per block and page view: a block that reloads (after a
  // cart change, or another variant chosen) mostly shows the same offers again. Keyed by what is
  // offered, not by the token, which changes every second.
  const counted = new Set();
  const impressions = (block) =>
    block.querySelectorAll("[data-cartlift-offer]").forEach((o) => {
      const d = block.dataset;
      const key =
        [d.placement, d.productId, o.dataset.productId, o.dataset.variantId] +
        "";
      if (!allowed || counted.has(key)) return;
      counted.add(key);
      track("impression", o, d.productId);
    });

  // Consent, from Shopify's Customer Privacy API (docs/decisions/016-consent.md): until it says
  // analytics may be processed for this visitor, the script keeps no id, sends no event, marks
  // nothing on the cart and asks for offers without a visitor (the merchant's settings, outside
  // any experiment). No API (not a Shopify storefront, or it failed to load) means no. A consent
  // given later starts tracking from then on, a withdrawn one stops it and forgets the id.
  let allowed = false;
  const consentListeners = new Set();
  const privacy = () => window.Shopify?.customerPrivacy;
  const consent = (yes) => {
    const was = allowed;
    allowed = !!yes;
    if (allowed) return was || consentListeners.forEach((f) => f());
    // Refused or withdrawn: forget the id an earlier consent kept.
    queue.length = 0;
    counted.clear();
    visitorId = null;
    try {
      localStorage.removeItem(KEY);
    } catch {
      /* nothing stored */
    }
  };
  const consentKnown = new Promise((done) => {
    // Only the API's answer changes anything: failing to load it, or no answer within a second
    // (the offers wait that long at most), leaves tracking off and any stored id in place.
    const read = () => {
      if (privacy()) consent(privacy().analyticsProcessingAllowed?.());
      done();
    };
    if (privacy()) return read();
    try {
      window.Shopify.loadFeatures(
        [{ name: "consent-tracking-api", version: "0.1" }],
        read,
      );
    } catch {
      done();
    }
    setTimeout(done, 1000);
  });
  document.addEventListener("visitorConsentCollected", (e) =>
    consent(
      e.detail?.analyticsAllowed ?? privacy()?.analyticsProcessingAllowed?.(),
    ),
  );

  // A visitor in an experiment (the hold-out too, which sees nothing) must be findable on the
  // order for the results, not only after a click or add: the proxy marks such answers, and the
  // cart gets the visitor id as an attribute once per page.
  let linked = false;
  const linkCart = (cartUrl) => {
    if (linked || !allowed) return;
    linked = true;
    fetch(`${cartUrl || "/cart"}/update.js`, {
      ...json({ attributes: { [KEY]: visitor() } }),
      keepalive: true,
    }).catch(() => {});
  };

  // Any cart change, whoever makes it: the standard event, common theme events, and the theme's
  // own Ajax cart requests seen through resource timing (works without knowing the theme).
  const CART_EVENTS = [
    "shopify:cart:lines-update",
    "cart:updated",
    "cart:refresh",
  ];
  const cartListeners = new Set();
  let changeTimer;
  const cartChanged = () => {
    clearTimeout(changeTimer);
    changeTimer = setTimeout(() => cartListeners.forEach((f) => f()), 150);
  };
  CART_EVENTS.forEach((e) => document.addEventListener(e, cartChanged));
  try {
    new PerformanceObserver((list) => {
      if (
        list
          .getEntries()
          .some((e) =>
            /\/cart\/(add|change|update|clear)(\.js)?\b/.test(e.name),
          )
      )
        cartChanged();
    }).observe({ type: "resource" });
  } catch {
    /* older browsers: the events above still work */
  }

  // The blocks' stylesheet, loaded once by the script rather than as a render-blocking <link> in
  // the head: nothing it styles is visible before the offers arrive.
  let styled;
  const stylesheet = (href) =>
    (styled ??= new Promise((done) => {
      if (!href) return done();
      const link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = href;
      link.onload = link.onerror = () => done();
      document.head.append(link);
    }));

  const money = (cents, currency) =>
    new Intl.NumberFormat(document.documentElement.lang || undefined, {
      style: "currency",
      currency,
    }).format(cents / 100);

  // The variant the shopper has chosen on a product page. Themes keep it in the product form's
  // `id` input and the `variant` URL parameter, and announce a change with a change event on that
  // input (Dawn) or a variant:update / variant:change event carrying the variant (newer themes):
  // all of them are read here, none of a theme's globals.
  const VARIANT_EVENTS = ["change", "variant:update", "variant:change"];
  const chosenVariant = (productId, e) => {
    const detail = e?.detail?.resource ?? e?.detail?.variant;
    const forms = [
      ...document.querySelectorAll('form[action*="/cart/add"]'),
    ].filter((f) => !f.closest("cartlift-offers"));
    const form =
      forms.find((f) =>
        f.querySelector(`[name="product-id"][value="${productId}"]`),
      ) ?? forms[0];
    const id = String(
      detail?.id ??
        (form && new FormData(form).get("id")) ??
        new URLSearchParams(location.search).get("variant") ??
        "",
    );
    return /^\d+$/.test(id) ? id : null;
  };

  class CartliftOffers extends HTMLElement {
    connectedCallback() {
      proxy = this.dataset.proxy || proxy;
      this.styled = stylesheet(this.dataset.css);
      this.slotEl = this.querySelector("[data-cartlift-slot]");
      this.box = this.slotEl.parentElement;
      // Cart blocks rank the cart; "bought together" says which of its products are in it, and
      // the upgrade whether it would take the place of one in it.
      this.onCart = () =>
        (this.isCart ||
          /^product_(fbt|upgrade)$/.test(this.dataset.placement)) &&
        this.loaded &&
        this.load(true);
      this.onClick = (e) => this.click(e);
      this.onChange = () => this.total();
      this.addEventListener("click", this.onClick);
      this.addEventListener("change", this.onChange);
      cartListeners.add(this.onCart);
      // Consent given while offers are on screen: they count as seen from now on.
      this.onConsent = () => impressions(this);
      consentListeners.add(this.onConsent);
      this.isCart = /^(cart|drawer)$/.test(this.dataset.placement);
      // Near the viewport (300 px) the offers load, each block in a task of its own so that no
      // long task blocks the page; on screen (any pixel in the viewport) the box must not shrink.
      this.io = new IntersectionObserver(
        (entries) => {
          if (!entries.some((e) => e.isIntersecting) || this.loaded) return;
          this.loaded = true;
          setTimeout(() => this.load());
        },
        { rootMargin: "300px" },
      );
      this.io.observe(this);
      this.seen = new IntersectionObserver((entries) => {
        this.visible = entries.some((e) => e.isIntersecting);
        this.fit();
      });
      this.seen.observe(this);
      // Product blocks follow the chosen variant: the bundle's "this item" and the upgrade's
      // starting point are that variant, re-fetched when it changes.
      this.onVariant = (e) => {
        if (e?.target?.closest?.("cartlift-offers")) return;
        clearTimeout(this.variantTimer);
        this.variantTimer = setTimeout(() => {
          const id = chosenVariant(this.dataset.productId, e);
          if (!id || id === this.dataset.variantId) return;
          this.dataset.variantId = id;
          if (this.loaded) this.load();
        }, 50);
      };
      if (this.dataset.productId) {
        VARIANT_EVENTS.forEach((t) =>
          document.addEventListener(t, this.onVariant),
        );
        addEventListener("popstate", this.onVariant);
      }
    }

    disconnectedCallback() {
      this.io?.disconnect();
      this.seen?.disconnect();
      VARIANT_EVENTS.forEach((t) =>
        document.removeEventListener(t, this.onVariant),
      );
      removeEventListener("popstate", this.onVariant);
      clearTimeout(this.variantTimer);
      cartListeners.delete(this.onCart);
      consentListeners.delete(this.onConsent);
      this.removeEventListener("click", this.onClick);
      this.removeEventListener("change", this.onChange);
      this.abort?.abort();
    }

    // After a cart change (`fresh`) the browser's copy of an answer is stale: the cart is in it.
    async load(fresh) {
      await consentKnown;
      const d = this.dataset;
      const q = new URLSearchParams({
        placement: d.placement,
        limit: d.limit || "",
        reasons: d.reasons || "1",
        ...(allowed ? { visitor: visitor() } : {}),
      });
      // The shopper's market and language: not read by the app, but part of the address, so the
      // browser's cache never answers a switch with the previous currency or language.
      for (const k of ["currency", "country", "locale"])
        if (d[k]) q.set(k, d[k]);
      if (d.productId) q.set("product_id", d.productId);
      if (d.variantId) q.set("variant_id", d.variantId);
      try {
        if (this.isCart) {
          const cart = await (await timed(`${d.cart || "/cart"}.js`)).json();
          const ids = [...new Set(cart.items.map((i) => i.product_id))];
          if (!ids.length) return this.show("");
          q.set("cart", ids.join(","));
        }
        this.abort?.abort();
        this.abort = new AbortController();
        const signal = this.abort.signal;
        const html = await (
          await timed(
            `${proxy}/recommendations?${q}`,
            fresh ? { cache: "no-cache" } : {},
          )
        ).text();
        await this.styled;
        if (!signal.aborted) this.show(html);
      } catch {
        // Slow, down or offline: keep showing nothing. Not an error for the shopper's console.
        if (!this.slotEl.childElementCount) this.show("");
      }
    }

    show(html) {
      // On screen the box may grow but never shrink (what is below it would move): it keeps
      // its reserve, or its height before new offers, until it is off-screen.
      if (this.visible) this.box.style.minHeight = `${this.box.offsetHeight}px`;
      this.slotEl.innerHTML = html;
      if (this.slotEl.querySelector("[data-cartlift-exposed]"))
        linkCart(this.dataset.cart);
      const offers = this.querySelectorAll("[data-cartlift-offer]");
      this.dataset.state = offers.length ? "ready" : "empty";
      this.fit();
      impressions(this);
      // No total() here: Liquid rendered the total of the offers as they arrive (all chosen), and
      // the first Intl.NumberFormat of a page loads locale data, a long task on a phone.
    }

    // Off-screen, the box fits its offers, and an empty block collapses: nothing visible moves.
    // An answer that turns out empty while the block is on screen keeps its reserve, blank, until
    // the shopper scrolls it out of view (the page then keeps its place by scroll anchoring).
    // Collapsing it on screen would move everything below by the reserve's height (up to a third
    // of a phone's screen for the upgrade table): a layout shift of 0.1 or more, against a CLS
    // budget of 0.01. Reserving nothing instead would shift the page whenever offers do arrive,
    // the common case.
    fit() {
      if (this.visible || !this.dataset.state) return;
      this.box.style.minHeight = "0";
      this.hidden = this.dataset.state === "empty";
    }

    total() {
      const out = this.querySelector("[data-cartlift-total]");
      if (!out) return;
      const boxes = [...this.querySelectorAll("input[data-price]")];
      const checked = boxes.filter((b) => b.checked);
      const sum = checked.reduce((s, b) => s + Number(b.dataset.price), 0);
      out.textContent = money(sum, out.dataset.currency);
      const bundle = this.querySelector("[data-cartlift-bundle]");
      // A product already in the cart counts toward the bundle, ticked or not.
      if (bundle)
        bundle.hidden = boxes.some(
          (b) => !b.checked && !b.hasAttribute("data-in-cart"),
        );
      const button = this.querySelector("[data-cartlift-add-all]");
      if (button) button.disabled = checked.length === 0;
    }

    click(e) {
      const link = e.target.closest("a[data-token]");
      if (link) {
        track("click", link, this.dataset.productId);
        flush();
        // Orders carry this cart attribute: "clicked, then bought" attribution needs it.
        if (allowed)
          fetch(`${this.dataset.cart || "/cart"}/update.js`, {
            ...json({ attributes: { [KEY]: visitor() } }),
            keepalive: true,
          }).catch(() => {});
        return;
      }
      const button = e.target.closest("button");
      if (!button || button.disabled) return;
      const chosen = button.hasAttribute("data-cartlift-add-all")
        ? [...this.querySelectorAll("input[data-variant-id]:checked")]
        : button.dataset.token
          ? [button]
          : [];
      if (chosen.length) this.add(button, chosen);
    }

    async add(button, chosen) {
      const d = this.dataset;
      const status = this.querySelector("[data-cartlift-status]");
      // Re-render the theme's cart sections (drawer, bubble, cart page) in the same request: the
      // section wrappers on the page, and Dawn's header bubble, which is an element of its own.
      const sections = [
        ...new Set([
          ...[...document.querySelectorAll('[id^="shopify-section-"]')].map(
            (s) => s.id.slice(16),
          ),
          ...[...document.querySelectorAll("#cart-icon-bubble")].map(
            (s) => s.id,
          ),
        ]),
      ]
        .filter((id) => /cart/i.test(id))
        .slice(0, 5);
      const render = sections.length
        ? { sections: sections.join(","), sections_url: location.pathname }
        : {};
      // An upgrade of a variant in the cart replaces one unit of it, once the upgrade is in.
      const swap = button.dataset.swapKey;
      button.disabled = true;
      try {
        const res = await timed(
          `${d.cartAdd || "/cart/add"}.js`,
          json({
            items: chosen.map((el) => ({
              id: Number(el.dataset.variantId),
              quantity: 1,
              // The offer's attribution token: measurement, so only with consent.
              ...(el.dataset.token && allowed
                ? { properties: { _cartlift: el.dataset.token } }
                : {}),
            })),
            ...(swap ? {} : render),
          }),
        );
        const added = await res.json();
        if (swap)
          added.sections = (
            await (
              await timed(
                `${d.cart || "/cart"}/change.js`,
                json({
                  id: swap,
                  quantity: Number(button.dataset.swapQuantity) || 0,
                  ...render,
                }),
              )
            ).json()
          ).sections;
        chosen.forEach(
          (el) => el.dataset.token && track("add", el, d.productId),
        );
        this.replaceSections(added.sections);
        // The visitor attribute (with consent), and the whole cart back for the themes' item count.
        const cart = await (
          allowed
            ? timed(
                `${d.cart || "/cart"}/update.js`,
                json({ attributes: { [KEY]: visitor() } }),
              )
            : timed(`${d.cart || "/cart"}.js`)
        )
          .then((r) => r.json())
          .catch(() => null);
        if (status) status.textContent = d.added || "";
        // Themes that render their cart in script refresh it on these (Horizon: cart:update with
        // the sections; Prestige, Impact: cart:refresh; Impulse, Motion: cart:build).
        const detail = {
          source: "cartlift",
          items: added.items,
          resource: added,
          sourceId: this.id,
          data: {
            source: "cartlift",
            sections: added.sections,
            ...(cart ? { itemCount: cart.item_count } : {}),
          },
        };
        [
          "shopify:cart:lines-update",
          "cart:update",
          "cart:refresh",
          "cart:build",
        ].forEach((type) =>
          document.dispatchEvent(
            new CustomEvent(type, { bubbles: true, detail }),
          ),
        );
      } catch {
        if (status) status.textContent = d.addFailed || "";
      } finally {
        button.disabled = false;
        if (!button.isConnected) this.querySelector("button")?.focus();
      }
    }

    replaceSections(sections) {
      for (const [id, html] of Object.entries(sections || {})) {
        const parsed =
          html &&
          new DOMParser()
            .parseFromString(html, "text/html")
            .getElementById(`shopify-section-${id}`);
        if (!parsed) continue;
        const next = document.adoptNode(parsed);
        const wrapper = document.getElementById(`shopify-section-${id}`);
        const element = !wrapper && document.getElementById(id);
        // An element that is not the section's wrapper (Dawn's cart bubble) takes its content.
        if (element) element.replaceChildren(...next.childNodes);
        if (!wrapper) continue;
        // This block inside the re-rendered section (the drawer's suggestions) moves into the
        // new markup alive, so its status message and focus survive and only its offers reload.
        if (wrapper.contains(this)) {
          const host = next.querySelector(drawerTarget());
          if (!host) continue;
          host.append(this);
        }
        wrapper.replaceWith(next);
      }
    }
  }

  // App embed: mount a drawer block inside whatever element the merchant's theme uses as its
  // cart drawer (a CSS selector setting), again after the theme re-renders the drawer.
  const drawerTarget = () =>
    document.querySelector("template[data-cartlift-drawer]")?.dataset.target ||
    "cart-drawer";
  const mountDrawer = () => {
    const tpl = document.querySelector("template[data-cartlift-drawer]");
    const host = tpl && document.querySelector(tpl.dataset.target);
    if (host && !host.querySelector("cartlift-offers"))
      host.append(tpl.content.cloneNode(true));
  };
  cartListeners.add(mountDrawer);
  // The blocks are set up in a task of their own: evaluating the script and upgrading every
  // block in one go was a long task on a phone.
  setTimeout(() => {
    if (customElements.get("cartlift-offers")) return;
    customElements.define("cartlift-offers", CartliftOffers);
    mountDrawer();
  });
})();
