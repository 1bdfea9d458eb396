import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { signOfferToken } from "~/services/measurement/attribution.server";
import {
  SETTLE_MS,
  banditCount,
  banditOverview,
  learnOfferCounts,
  parseTokenArm,
  setBanditEnabled,
  tokenArm,
} from "./offer-count.server";

const SHOP = "bandit.myshopify.com";

describe("learned offer count", () => {
  it("encodes arm and count in the token's arm field and reads them back", () => {
    expect(tokenArm(null, null)).toBe("");
    expect(parseTokenArm("")).toEqual({ armId: null, banditCount: null });
    expect(parseTokenArm(tokenArm("ckarm1", 4))).toEqual({
      armId: "ckarm1",
      banditCount: 4,
    });
    expect(parseTokenArm(tokenArm(null, 6))).toEqual({
      armId: null,
      banditCount: 6,
    });
    expect(parseTokenArm("ckarm1")).toEqual({
      armId: "ckarm1",
      banditCount: null,
    });
  });

  it("is off by default and picks a count from 2 to 6 once turned on", async () => {
    expect(await banditCount(SHOP, "cart", "v1")).toBeNull();
    await setBanditEnabled(SHOP, "cart", true);
    const counts = new Set<number>();
    for (let i = 0; i < 40; i += 1)
      counts.add((await banditCount(SHOP, "cart", `v${i}`))!);
    for (const c of counts) expect([2, 3, 4, 5, 6]).toContain(c);
    // The upgrade block always shows one comparison: no bandit there.
    expect(await banditCount(SHOP, "product_upgrade", "v1")).toBeNull();
    // Another shop's switch is its own.
    expect(await banditCount("other.myshopify.com", "cart", "v1")).toBeNull();
  });

  it("learns from rendered widgets and adds, once per batch", async () => {
    const shop = "bandit-learn.myshopify.com";
    const t0 = new Date("2026-03-01T00:00:00Z");
    await setBanditEnabled(shop, "drawer", true, t0);
    const shown = new Date("2026-03-01T01:00:00Z");
    const token = (count: number, productId: string) =>
      signOfferToken(
        shop,
        {
          placement: "drawer",
          strategy: "blended",
          kind: "cross_sell",
          productId,
          modelId: "",
          arm: tokenArm(null, count),
        },
        shown,
      );
    const events: {
      shop: string;
      type: string;
      placement: string;
      visitorKey: string;
      offerToken: string;
      createdAt: Date;
    }[] = [];
    // 10 widgets of 2 offers (4 led to an add), 10 widgets of 5 offers (1 led to an add).
    for (let v = 0; v < 10; v += 1) {
      for (const [count, adders] of [
        [2, 4],
        [5, 1],
      ] as const) {
        const visitorKey = `visitor-${count}-${v}`;
        for (let p = 1; p <= count; p += 1)
          events.push({
            shop,
            type: "impression",
            placement: "drawer",
            visitorKey,
            offerToken: token(count, String(p)),
            createdAt: shown,
          });
        if (v < adders)
          events.push({
            shop,
            type: "add",
            placement: "drawer",
            visitorKey,
            offerToken: token(count, "1"),
            createdAt: new Date(shown.getTime() + 60_000),
          });
      }
    }
    // Impressions without a bandit count (experiment or fixed setting) teach it nothing.
    events.push({
      shop,
      type: "impression",
      placement: "drawer",
      visitorKey: "fixed",
      offerToken: signOfferToken(
        shop,
        {
          placement: "drawer",
          strategy: "blended",
          kind: "cross_sell",
          productId: "1",
          modelId: "",
          arm: "",
        },
        shown,
      ),
      createdAt: shown,
    });
    await prisma.event.createMany({ data: events });

    const now = new Date(shown.getTime() + SETTLE_MS + 60_000);
    const learned = await learnOfferCounts(shop, "drawer", now);
    const arms = learned!.state.arms as {
      count: number;
      impressions: number;
      alpha: number;
      beta: number;
    }[];
    expect(arms.find((a) => a.count === 2)).toMatchObject({
      impressions: 10,
      alpha: 5,
      beta: 7,
    });
    expect(arms.find((a) => a.count === 5)).toMatchObject({
      impressions: 10,
      alpha: 2,
      beta: 10,
    });
    expect(arms.find((a) => a.count === 3)?.impressions).toBe(0);
    // Learning again over the same period adds nothing.
    await learnOfferCounts(shop, "drawer", now);
    const [, , drawer] = await banditOverview(shop, now);
    expect(drawer.placement).toBe("drawer");
    expect(drawer.enabled).toBe(true);
    const two = drawer.beliefs.find((b) => b.count === 2)!;
    const five = drawer.beliefs.find((b) => b.count === 5)!;
    expect(two.impressions).toBe(10);
    expect(two.mean).toBeCloseTo(5 / 12, 6);
    expect(five.mean).toBeCloseTo(2 / 12, 6);
    expect(two.probabilityBest).toBeGreaterThan(five.probabilityBest);
  });
});
