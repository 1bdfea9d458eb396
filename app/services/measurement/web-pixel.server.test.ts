import { describe, expect, it } from "vitest";
import { pixelKey } from "./pixel-events.server";
import { connectWebPixel } from "./web-pixel.server";

const SHOP = "web-pixel-shop.myshopify.com";

/** Shopify's Admin API for the pixel mutations, answering from a one-pixel store. */
function admin(existing: string | null) {
  const calls: { operation: string; variables: Record<string, unknown> }[] = [];
  let pixel = existing;
  const graphql = async (
    query: string,
    options?: { variables?: Record<string, unknown> },
  ) => {
    const operation = /(?:mutation|query) (\w+)/.exec(query)?.[1] ?? "";
    const variables = options?.variables ?? {};
    calls.push({ operation, variables });
    const written = (id: string | null, errors: object[] = []) => ({
      webPixel: id ? { id } : null,
      userErrors: errors,
    });
    const data =
      operation === "CartliftWebPixelCreate"
        ? {
            webPixelCreate: pixel
              ? written(null, [
                  {
                    field: ["webPixel"],
                    message: "Web pixel already exists",
                    code: "TAKEN",
                  },
                ])
              : written((pixel = "gid://shopify/WebPixel/1")),
          }
        : operation === "CartliftWebPixel"
          ? { webPixel: { id: pixel } }
          : { webPixelUpdate: written(pixel) };
    return Response.json({ data });
  };
  return { graphql, calls };
}

describe("connecting the shop's web pixel", () => {
  it("creates the pixel with the shop, its pixel key and the endpoint", async () => {
    const { graphql, calls } = admin(null);
    expect(await connectWebPixel(SHOP, graphql)).toBe(
      "gid://shopify/WebPixel/1",
    );
    expect(calls.map((c) => c.operation)).toEqual(["CartliftWebPixelCreate"]);
    const settings = JSON.parse(
      (calls[0].variables.webPixel as { settings: string }).settings,
    );
    expect(settings).toEqual({
      shop: SHOP,
      key: pixelKey(SHOP),
      endpoint: "https://my-test-app.myshopify.io/pixel/events",
    });
    expect(settings.key).not.toBe(pixelKey("another-shop.myshopify.com"));
  });

  it("updates the pixel a re-install finds already there", async () => {
    const { graphql, calls } = admin("gid://shopify/WebPixel/7");
    expect(await connectWebPixel(SHOP, graphql)).toBe(
      "gid://shopify/WebPixel/7",
    );
    expect(calls.map((c) => c.operation)).toEqual([
      "CartliftWebPixelCreate",
      "CartliftWebPixel",
      "CartliftWebPixelUpdate",
    ]);
    expect(calls[2].variables.id).toBe("gid://shopify/WebPixel/7");
  });

  it("raises Shopify's refusal with its message", async () => {
    const graphql = async () =>
      Response.json({
        data: {
          webPixelCreate: {
            webPixel: null,
            userErrors: [
              {
                field: ["settings"],
                message: "Invalid settings",
                code: "INVALID_SETTINGS",
              },
            ],
          },
        },
      });
    await expect(connectWebPixel(SHOP, graphql)).rejects.toThrow(
      "webPixelCreate refused: Invalid settings",
    );
  });
});
