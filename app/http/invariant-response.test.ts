import { describe, expect, it } from "vitest";
import { invariantResponse } from "./invariant-response";

function thrown(run: () => void): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("invariantResponse", () => {
  it("lets a request through when the condition holds", () => {
    expect(thrown(() => invariantResponse({ id: "1" }, "Missing"))).toBe(
      undefined,
    );
  });

  it("throws a 400 with the message when it does not", async () => {
    const response = thrown(() => invariantResponse(null, "Unknown action"));
    expect(response).toBeInstanceOf(Response);
    expect((response as Response).status).toBe(400);
    expect(await (response as Response).text()).toBe("Unknown action");
  });

  it("takes the status for the failure, such as 404 for a record the shop does not have", () => {
    const response = thrown(() =>
      invariantResponse(false, "This bundle does not exist in your store.", {
        status: 404,
      }),
    );
    expect((response as Response).status).toBe(404);
  });
});
