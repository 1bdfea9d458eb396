import { describe, expect, it } from "vitest";
import {
  API_KEY,
  API_SECRET_KEY,
  RequestType,
  getJwt,
  setUpValidRequest,
} from "@shopify/shopify-api/test-helpers";
import { storeOfflineSession } from "../fixtures";
import { loader as homeLoader } from "~/routes/app._index";

const SHOP = "test-shop.myshopify.com";

const storeSession = () => storeOfflineSession(SHOP);

const load = (request: Request) =>
  homeLoader({ request, params: {}, context: {} }).catch((thrown: unknown) => {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  });

function dataRequest(token: string | null) {
  const headers: Record<string, string> = {
    "User-Agent":
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36",
  };
  if (token) headers.Authorization = `Bearer ${token}`;
  return new Request(
    "https://my-test-app.myshopify.io/app?_data=routes%2Fapp._index",
    { headers },
  );
}

describe("admin authentication", () => {
  it("serves a request that carries a valid session token", async () => {
    await storeSession();
    const request = await setUpValidRequest(
      {
        type: RequestType.Admin,
        store: "test-shop",
        apiKey: API_KEY,
        apiSecretKey: API_SECRET_KEY,
      },
      new Request("https://my-test-app.myshopify.io/app", {
        headers: {
          "User-Agent":
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36",
        },
      }),
    );
    const result = await load(request);
    expect(result).not.toBeInstanceOf(Response);
    expect(result).toMatchObject({
      importStatus: "pending",
      products: 0,
      orders: 0,
    });
  });

  it("refuses a data request with no session token", async () => {
    await storeSession();
    const response = await load(dataRequest(null));
    expect(response).toBeInstanceOf(Response);
    expect((response as Response).status).toBe(302);
    expect((response as Response).headers.get("Location")).toBe("/auth/login");
  });

  it("refuses a token signed with another secret", async () => {
    await storeSession();
    const { token } = await getJwt("test-shop", API_KEY, "not-the-app-secret");
    const response = (await load(dataRequest(token))) as Response;
    expect(response.status).toBe(401);
    expect(
      response.headers.get("X-Shopify-Retry-Invalid-Session-Request"),
    ).toBe("1");
  });

  it("refuses an expired token", async () => {
    await storeSession();
    const past = Date.now() / 1000 - 600;
    const { token } = await getJwt("test-shop", API_KEY, API_SECRET_KEY, {
      exp: past,
      nbf: past - 60,
      iat: past - 60,
    });
    const response = (await load(dataRequest(token))) as Response;
    expect(response.status).toBe(401);
  });

  it("refuses a token minted for another app", async () => {
    await storeSession();
    const { token } = await getJwt("test-shop", "another-app", API_SECRET_KEY);
    const response = (await load(dataRequest(token))) as Response;
    expect(response.status).toBe(401);
  });

  it("serves a data request with a valid bearer token", async () => {
    await storeSession();
    const { token } = await getJwt("test-shop", API_KEY, API_SECRET_KEY);
    const result = await load(dataRequest(token));
    expect(result).toMatchObject({ products: 0 });
  });
});
