import { beforeEach, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { shouldRetrain } from "~/services/model/model.server";
import {
  buildChecklist,
  historyNote,
  onboarding,
  orderHistory,
  setStepDone,
  shopOverview,
  themeEditorLinks,
} from "./onboarding.server";

const SHOP = "onboard.myshopify.com";

describe("theme editor deep links", () => {
  it("add each block to its template and activate the embed, keyed by the API key", () => {
    const links = themeEditorLinks(SHOP, "key123");
    const fbt = new URL(links.fbt);
    expect(fbt.origin + fbt.pathname).toBe(
      `https://${SHOP}/admin/themes/current/editor`,
    );
    expect(Object.fromEntries(fbt.searchParams)).toEqual({
      template: "product",
      addAppBlockId: "key123/frequently-bought-together",
      target: "mainSection",
    });
    expect(new URL(links.cart).searchParams.get("template")).toBe("cart");
    expect(new URL(links.cart).searchParams.get("addAppBlockId")).toBe(
      "key123/complete-your-order",
    );
    expect(Object.fromEntries(new URL(links.embed).searchParams)).toEqual({
      context: "apps",
      activateAppId: "key123/cart-drawer",
    });
  });
});

describe("buildChecklist", () => {
  it("marks detected and merchant-confirmed steps done", () => {
    const list = buildChecklist({
      shop: SHOP,
      apiKey: "k",
      trained: true,
      reviewedSuggestions: true,
      discountCreated: false,
      experimentStarted: false,
      manualDone: new Set(["app_embed"]),
    });
    const done = Object.fromEntries(list.map((i) => [i.id, i.done]));
    expect(done).toEqual({
      suggestions: true,
      app_embed: true,
      block_fbt: false,
      block_upgrade: false,
      block_cart: false,
      bundle_discount: false,
      experiment: false,
    });
    expect(list.find((i) => i.id === "block_fbt")!.action!.external).toBe(true);
  });

  it("ticks the experiment step once an experiment has started, and links to Experiments", () => {
    const step = (experimentStarted: boolean) =>
      buildChecklist({
        shop: SHOP,
        apiKey: "k",
        trained: true,
        reviewedSuggestions: false,
        discountCreated: false,
        experimentStarted,
        manualDone: new Set(),
      }).find((i) => i.id === "experiment")!;
    expect(step(false).done).toBe(false);
    expect(step(true)).toMatchObject({
      done: true,
      manual: false,
      action: { url: "/app/experiments", external: false },
    });
  });
});

describe("shouldRetrain", () => {
  const now = new Date("2026-11-25T12:00:00Z");
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);

  it("never trains on a half-imported history", () => {
    expect(
      shouldRetrain({ latest: null, orders: 500, importDone: false, now }),
    ).toBe(false);
  });
  it("trains a shop that has no model once the import is done", () => {
    expect(
      shouldRetrain({ latest: null, orders: 0, importDone: true, now }),
    ).toBe(true);
  });
  it("retrains after 50 new orders, however recent the model", () => {
    const latest = { createdAt: hoursAgo(1), orders: 100 };
    expect(shouldRetrain({ latest, orders: 149, importDone: true, now })).toBe(
      false,
    );
    expect(shouldRetrain({ latest, orders: 150, importDone: true, now })).toBe(
      true,
    );
  });
  it("retrains daily, but only when something changed", () => {
    const latest = { createdAt: hoursAgo(25), orders: 100 };
    expect(shouldRetrain({ latest, orders: 101, importDone: true, now })).toBe(
      true,
    );
    expect(shouldRetrain({ latest, orders: 100, importDone: true, now })).toBe(
      false,
    );
  });
});

describe("onboarding state", () => {
  beforeEach(async () => {
    await prisma.onboardingStep.deleteMany({});
    await prisma.shop.deleteMany({ where: { shop: SHOP } });
  });

  it("keeps merchant-confirmed steps per shop, and can undo them", async () => {
    await prisma.shop.create({ data: { shop: SHOP } });
    await setStepDone(SHOP, "block_fbt", true);
    await setStepDone(SHOP, "block_fbt", true);
    await setStepDone("other.myshopify.com", "app_embed", true);
    let state = await onboarding(SHOP, "k");
    expect(state.checklist.filter((i) => i.done).map((i) => i.id)).toEqual([
      "block_fbt",
    ]);
    expect(state.import.status).toBe("pending");
    expect(state.training.state).toBe("waiting");
    await setStepDone(SHOP, "block_fbt", false);
    state = await onboarding(SHOP, "k");
    expect(state.checklist.some((i) => i.done)).toBe(false);
  });
});

describe("order history behind the model", () => {
  it("says how many days the model learns from, and what is missing without read_all_orders", async () => {
    const shop = "history.myshopify.com";
    await prisma.shop.create({ data: { shop, allOrdersAccess: false } });
    const order = (id: string, createdAt: string) => ({
      shop,
      id,
      name: `#${id}`,
      createdAt: new Date(createdAt),
      sourceUpdatedAt: new Date(createdAt),
      currency: "USD",
      subtotalMinor: 1000,
      totalMinor: 1000,
    });
    await prisma.order.createMany({
      data: [
        order("1", "2026-09-27T12:00:00Z"),
        order("2", "2026-11-25T12:00:00Z"),
        {
          ...order("3", "2026-11-01T12:00:00Z"),
          cancelledAt: new Date("2026-11-02T12:00:00Z"),
        },
      ],
    });
    const { history, orders, activeOrders } = await shopOverview(shop);
    // The cancelled order is imported, and left out of what training learns from.
    expect([orders, activeOrders]).toEqual([3, 2]);
    expect(history).toEqual({
      days: 59,
      since: "2026-09-27T12:00:00.000Z",
      allOrdersAccess: false,
    });
    const limited = historyNote(history)!;
    expect(limited).toContain("59 days of orders (since Sep 27, 2026)");
    expect(limited).toContain("only the last 60 days");
    expect(historyNote({ ...history, allOrdersAccess: true })).toBe(
      "Learns from your whole order history: 59 days of orders (since Sep 27, 2026).",
    );
  });

  it("says nothing before the import has asked Shopify or found orders", () => {
    expect(historyNote(orderHistory(null, null, false))).toBeNull();
    const day = new Date("2026-01-01T00:00:00Z");
    expect(historyNote(orderHistory(day, day, null))).toBeNull();
    expect(orderHistory(day, day, true).days).toBe(1);
  });
});
