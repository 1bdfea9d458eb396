import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEMO_IMAGES,
  productImageFile,
  productImageSvg,
  productImages,
} from "./product-image";
import { generateDemoShop } from "./shop";

const demo = generateDemoShop({ now: new Date("2026-06-01T00:00:00Z") });
const kinds = [...new Set(demo.products.map((p) => p.productType))];
const firstOf = (kind: string) =>
  demo.products.find((p) => p.productType === kind)!;
/** The drawing without its colours: what the picture shows. */
const shape = (svg: string) => svg.replace(/#[0-9a-f]{6}/g, "");

describe("the demo's product pictures", () => {
  it("draws every kind of the demo shop its own picture, none the fallback parcel", () => {
    const shapes = kinds.map((kind) => shape(productImageSvg(firstOf(kind))));
    expect(new Set(shapes).size).toBe(kinds.length);
    const parcel = shape(
      productImageSvg({ handle: "box", productType: "Something else" }),
    );
    expect(shapes).not.toContain(parcel);
  });

  it("colours each product from its handle: the same picture every time, several colours per kind", () => {
    const tents = demo.products.filter((p) => p.productType === "Tent");
    expect(productImageSvg(tents[0])).toBe(productImageSvg({ ...tents[0] }));
    const colours = new Set(
      tents.map((p) => /fill="(#[0-9a-f]{6})"/.exec(productImageSvg(p))![1]),
    );
    expect(colours.size).toBeGreaterThanOrEqual(4);
  });

  it("keeps every picture small, as one SVG document", () => {
    for (const p of demo.products) {
      const svg = productImageSvg(p);
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(svg.endsWith("</svg>")).toBe(true);
      expect(svg.length).toBeLessThan(1_500);
    }
  });

  it("names each file after its product and its drawing, so another drawing is another address", () => {
    const tent = firstOf("Tent");
    expect(productImageFile(tent)).toMatch(
      new RegExp(`^${tent.handle}-[0-9a-z]+\\.svg$`),
    );
    expect(productImageFile({ ...tent, productType: "Stove" })).not.toBe(
      productImageFile(tent),
    );
  });
});

describe("the demo's picture server", () => {
  let origin = "";
  let close = () => {};
  beforeAll(async () => {
    const app = express().use(productImages(demo.products));
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => close());

  it("serves each product's picture as SVG, cacheable for a year", async () => {
    const product = firstOf("Coffee");
    const response = await fetch(
      `${origin}${DEMO_IMAGES}/${productImageFile(product)}`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^image\/svg\+xml/);
    expect(response.headers.get("Cache-Control")).toBe(
      "public, max-age=31536000, immutable",
    );
    expect(await response.text()).toBe(productImageSvg(product));
  });

  it("answers 404 for an unknown product or an earlier drawing's address", async () => {
    const product = firstOf("Coffee");
    for (const file of ["no-such-product-1.svg", `${product.handle}-0.svg`])
      expect((await fetch(`${origin}${DEMO_IMAGES}/${file}`)).status).toBe(404);
  });
});
