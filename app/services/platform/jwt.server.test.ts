import { describe, expect, it } from "vitest";
import { jwtVerify } from "jose";
import { signJwt } from "./jwt.server";

describe("signJwt", () => {
  it("signs claims HS256 so that an independent JWT library verifies them", async () => {
    const claims = { iss: "api-key", sub: "ref-1", iat: 1_700_000_000 };
    const token = signJwt(claims, "app-secret");
    const { payload, protectedHeader } = await jwtVerify(
      token,
      new TextEncoder().encode("app-secret"),
      { algorithms: ["HS256"], currentDate: new Date(1_700_000_000_000) },
    );
    expect(protectedHeader).toEqual({ alg: "HS256", typ: "JWT" });
    expect(payload).toEqual(claims);
  });

  it("fails verification under another secret", async () => {
    const token = signJwt({ sub: "ref-1" }, "app-secret");
    await expect(
      jwtVerify(token, new TextEncoder().encode("other-secret")),
    ).rejects.toThrow();
  });
});
