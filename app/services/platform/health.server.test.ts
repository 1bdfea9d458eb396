import { describe, expect, it } from "vitest";
import { loader as liveness } from "~/routes/healthz";
import { loader as readiness } from "~/routes/readyz";

describe("health endpoints", () => {
  it("answers liveness without touching anything", async () => {
    const response = await liveness();
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("ok");
  });

  it("reports ready while the database answers", async () => {
    const response = await readiness();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ready" });
  });
});
