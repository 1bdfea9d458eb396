import { describe, expect, it } from "vitest";
import type { ExperimentSplit } from "./experiment-assignment";
import {
  assignArm,
  assignmentHash,
  AssignmentConfigError,
} from "./experiment-assignment";

const split: ExperimentSplit = {
  id: "exp_cm1",
  arms: [
    { id: "holdout", weight: 10, holdout: true },
    { id: "control", weight: 45 },
    { id: "three-offers", weight: 45 },
  ],
};

describe("experiment assignment", () => {
  it("matches reference values computed independently (Python) from the written specification", () => {
    // Pinned so a change of algorithm, which would silently move visitors between arms, fails here.
    expect(assignmentHash("exp_cm1", "visitor-42")).toBe(2887546758);
    expect(assignmentHash("exp_cm1", "gid://shopify/Customer/123")).toBe(
      2582986670,
    );
    expect(assignArm(split, "visitor-11").id).toBe("holdout"); // slot 3 of 100
    expect(assignArm(split, "visitor-4").id).toBe("control"); // slot 24
    expect(assignArm(split, "visitor-42").id).toBe("three-offers"); // slot 67
  });

  it("is sticky: the same visitor gets the same arm on every call and on a fresh copy of the config", () => {
    const copy: ExperimentSplit = JSON.parse(JSON.stringify(split));
    for (let i = 0; i < 1_000; i += 1) {
      const visitor = `v${i}`;
      expect(assignArm(copy, visitor).id).toBe(assignArm(split, visitor).id);
    }
  });

  it("depends on the experiment: a visitor's arms in two experiments are independent", () => {
    const other: ExperimentSplit = { ...split, id: "exp_cm2" };
    let same = 0;
    const n = 20_000;
    for (let i = 0; i < n; i += 1)
      if (assignArm(split, `v${i}`).id === assignArm(other, `v${i}`).id)
        same += 1;
    // Independent arms agree with probability 0.1² + 0.45² + 0.45² = 0.415.
    expect(same / n).toBeGreaterThan(0.415 - 0.015);
    expect(same / n).toBeLessThan(0.415 + 0.015);
  });

  it("splits traffic by weight, hold-out included, within sampling tolerance", () => {
    const counts = new Map<string, number>();
    const n = 100_000;
    for (let i = 0; i < n; i += 1) {
      // Sequential, similar keys are the hard case for a weak hash.
      const arm = assignArm(split, `shopper-${i}`).id;
      counts.set(arm, (counts.get(arm) ?? 0) + 1);
    }
    for (const arm of split.arms) {
      const share = (counts.get(arm.id) ?? 0) / n;
      const expected = arm.weight / 100;
      const sd = Math.sqrt((expected * (1 - expected)) / n);
      expect(Math.abs(share - expected)).toBeLessThan(4 * sd);
    }
  });

  it("never assigns an arm with zero weight", () => {
    const paused: ExperimentSplit = {
      id: "exp_paused",
      arms: [
        { id: "a", weight: 1 },
        { id: "off", weight: 0 },
        { id: "b", weight: 1 },
      ],
    };
    for (let i = 0; i < 5_000; i += 1)
      expect(assignArm(paused, `v${i}`).id).not.toBe("off");
  });

  it("rejects configurations that cannot split traffic", () => {
    expect(() => assignArm({ id: "x", arms: [] }, "v")).toThrow(
      AssignmentConfigError,
    );
    expect(() =>
      assignArm({ id: "x", arms: [{ id: "a", weight: 0 }] }, "v"),
    ).toThrow(AssignmentConfigError);
    expect(() =>
      assignArm({ id: "x", arms: [{ id: "a", weight: 1.5 }] }, "v"),
    ).toThrow(AssignmentConfigError);
    expect(() =>
      assignArm({ id: "a:b", arms: [{ id: "a", weight: 1 }] }, "v"),
    ).toThrow(AssignmentConfigError);
  });
});
