import { describe, expect, it } from "vitest";
import { fnv1a32 } from "../hash";
import { readOrdersCsv } from "./orders-csv";
import {
  evaluateProtocolA,
  evaluateProtocolAEach,
  evaluateProtocolB,
  evaluateProtocolBEach,
  fixedScorer,
  hiddenChecksum,
  popularityScorer,
  protocolACases,
  queryMetricsB,
  splitOrders,
  trainPopularity,
  type ProtocolOrder,
  type ScorerFactory,
  type Split,
} from "./protocol";
import { SHARED_ORDERS, haveSharedOrders } from "./shared-orders";

const haveShared = haveSharedOrders("protocol.test");

const order = (
  id: string,
  createdAt: string,
  items: string[],
): ProtocolOrder => ({
  id,
  createdAt,
  items,
});

describe("splits and cases", () => {
  const orders = [
    order("1", "2011-08-08T23:59:00", ["A", "B"]),
    order("2", "2011-08-09T00:00:00", ["B", "C", "B"]),
    order("3", "2011-10-08T20:00:00", ["C"]),
    order("4", "2011-10-09T00:00:00", ["D", "A"]),
  ];

  it("puts boundary timestamps on the later side", () => {
    const test = splitOrders(orders, "test");
    expect(test.train.map((o) => o.id)).toEqual(["1", "2", "3"]);
    expect(test.evaluation.map((o) => o.id)).toEqual(["4"]);
    const validation = splitOrders(orders, "validation");
    expect(validation.train.map((o) => o.id)).toEqual(["1"]);
    expect(validation.evaluation.map((o) => o.id)).toEqual(["2", "3"]);
  });

  it("hides the item picked by the seeded hash and skips one-item orders", () => {
    const cases = protocolACases(splitOrders(orders, "validation").evaluation);
    expect(cases).toHaveLength(1);
    const h = fnv1a32("42:2") % 2;
    expect(cases[0].skus).toEqual(["B", "C"]);
    expect(cases[0].hidden).toBe(["B", "C"][h]);
    expect(cases[0].cart).toEqual([["B", "C"][1 - h]]);
  });

  it("orders the back-fill by train count, then SKU", () => {
    const pop = trainPopularity([
      order("1", "t", ["B", "A"]),
      order("2", "t", ["C", "B", "B"]),
      order("3", "t", ["C"]),
    ]);
    expect(pop.catalog).toEqual(["B", "C", "A"]);
    expect(pop.counts.get("B")).toBe(2);
  });
});

describe("protocol A metrics", () => {
  // Catalog by popularity: X (3 orders), Y (2), Z (1), W (1).
  const split: Split = {
    name: "test",
    train: [
      order("t1", "2011-01-01T10:00:00", ["X", "Y", "Z"]),
      order("t2", "2011-01-02T10:00:00", ["X", "Y", "W"]),
      order("t3", "2011-01-03T10:00:00", ["X"]),
    ],
    evaluation: [
      order("e1", "2011-11-01T10:00:00", ["X", "W"]),
      order("e2", "2011-11-02T10:00:00", ["Y", "Q"]),
    ],
  };

  it("ranks by popularity when every score ties, and misses unknown hidden items", () => {
    const cases = protocolACases(split.evaluation);
    const result = evaluateProtocolA(split, popularityScorer, cases);
    expect(result.cases).toBe(2);
    let expectedHits = 0;
    let expectedMrr = 0;
    for (const c of cases) {
      if (c.hidden === "Q") continue;
      // Popularity order without the cart item: rank is the position in it.
      const order = ["X", "Y", "W", "Z"].filter((s) => !c.cart.includes(s));
      const rank = order.indexOf(c.hidden) + 1;
      expectedHits += rank <= 10 ? 1 : 0;
      expectedMrr += 1 / rank;
    }
    expect(result.hr10).toBeCloseTo(expectedHits / 2, 12);
    expect(result.mrr).toBeCloseTo(expectedMrr / 2, 12);
    expect(result.hiddenOutsideCatalog).toBe(
      cases.filter((c) => c.hidden === "Q").length,
    );
    expect(result.checksum).toBe(hiddenChecksum(cases));
  });

  it("turns a hidden item at rank 3 into NDCG 1/log2(4) and MRR 1/3", () => {
    const cases = [
      {
        orderId: "e1",
        createdAt: "2011-11-01T10:00:00",
        skus: ["W", "X"],
        hiddenIndex: 0,
        hidden: "W",
        cart: ["X"],
      },
    ];
    // Scores put Z first, Y second, W third.
    const factory: ScorerFactory = (catalog) => () =>
      Float64Array.from(catalog, (s) => ({ Z: 3, Y: 2, W: 1 })[s] ?? 0);
    const result = evaluateProtocolA(split, factory, cases);
    expect(result.hr5).toBe(1);
    expect(result.ndcg10).toBeCloseTo(1 / Math.log2(4), 12);
    expect(result.mrr).toBeCloseTo(1 / 3, 12);
    expect(result.byCartSize[0]).toMatchObject({
      label: "1",
      cases: 1,
      hr10: 1,
    });
    // Z, Y, W appear in the top 10: 3 of 4 catalog items (X is in the cart).
    expect(result.coverage10).toBeCloseTo(3 / 4, 12);
  });
});

describe("protocol B metrics", () => {
  it("computes P@5, R@10 and NDCG@10 of one list", () => {
    const m = queryMetricsB(
      ["a", "x", "b", "y", "z", "c"],
      new Set(["a", "b", "c", "d"]),
    );
    expect(m.p5).toBeCloseTo(2 / 5, 12);
    expect(m.r10).toBeCloseTo(3 / 4, 12);
    const dcg = 1 / Math.log2(2) + 1 / Math.log2(4) + 1 / Math.log2(7);
    const idcg = 1 + 1 / Math.log2(3) + 1 / Math.log2(4) + 1 / Math.log2(5);
    expect(m.ndcg10).toBeCloseTo(dcg / idcg, 12);
  });

  it("weights micro by query and macro by order", () => {
    const split: Split = {
      name: "test",
      train: [order("t1", "2011-01-01T10:00:00", ["A", "B", "C", "D"])],
      evaluation: [
        order("e1", "2011-11-01T10:00:00", ["A", "B"]),
        order("e2", "2011-11-02T10:00:00", ["A", "C", "D", "E"]),
      ],
    };
    const result = evaluateProtocolB(split, popularityScorer);
    expect(result.queries).toBe(6);
    expect(result.orders).toBe(2);
    expect(result.queriesOutsideCatalog).toBe(1);
    // All scores tie, so every list is the catalog A,B,C,D minus the query.
    const lists: Record<string, string[]> = {
      A: ["B", "C", "D"],
      B: ["A", "C", "D"],
      C: ["A", "B", "D"],
      D: ["A", "B", "C"],
      E: ["A", "B", "C", "D"],
    };
    const per = (basket: string[]) =>
      basket.map(
        (q) =>
          queryMetricsB(lists[q], new Set(basket.filter((s) => s !== q)))
            .ndcg10,
      );
    const e1 = per(["A", "B"]);
    const e2 = per(["A", "C", "D", "E"]);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(result.micro.ndcg10).toBeCloseTo((sum(e1) + sum(e2)) / 6, 12);
    expect(result.macro.ndcg10).toBeCloseTo(
      (sum(e1) / 2 + sum(e2) / 4) / 2,
      12,
    );
    expect(result.coverage10).toBe(1);
  });
});

describe("several scorers in one pass", () => {
  const split: Split = {
    name: "test",
    train: [
      order("t1", "2011-01-01T10:00:00", ["A", "B", "C", "D"]),
      order("t2", "2011-01-02T10:00:00", ["A", "C"]),
      order("t3", "2011-01-03T10:00:00", ["B", "E"]),
    ],
    evaluation: [
      order("e1", "2011-11-01T10:00:00", ["A", "B", "E"]),
      order("e2", "2011-11-02T10:00:00", ["C", "D"]),
      order("e3", "2011-11-03T10:00:00", ["B", "D", "F"]),
    ],
  };
  // Each scorer logs the carts it is asked about, tagged with its name.
  const logged = (
    name: string,
    log: string[],
    weights: Record<string, number>,
  ) =>
    ((catalog) => (cart) => {
      log.push(`${name}:${cart.join(",")}`);
      return Float64Array.from(catalog, (s) => weights[s] ?? 0);
    }) satisfies ScorerFactory;
  const weights: Record<string, number>[] = [
    { E: 3, D: 2 },
    { C: 1, B: 5, F: 2 },
  ];

  it("gives each scorer its own protocol A and B result, asking all of them for a cart before the next", () => {
    const log: string[] = [];
    const factories = weights.map((w, m) => logged(`s${m}`, log, w));
    const cases = protocolACases(split.evaluation);
    const perCase = weights.map(() => ({
      hr10: new Float64Array(cases.length),
      ndcg10: new Float64Array(cases.length),
    }));
    const a = evaluateProtocolAEach(split, factories, cases, perCase);
    const b = evaluateProtocolBEach(split, factories);
    weights.forEach((_, m) => {
      const alone = {
        hr10: new Float64Array(cases.length),
        ndcg10: new Float64Array(cases.length),
      };
      expect(a[m]).toEqual(
        evaluateProtocolA(split, factories[m], cases, alone),
      );
      expect(perCase[m]).toEqual(alone);
      expect(b[m]).toEqual(evaluateProtocolB(split, factories[m]));
    });
    // The two scorers rank differently, so the test tells their results apart.
    expect(a[0].mrr).not.toBe(a[1].mrr);
    const onePass = log.slice(0, 2 * cases.length);
    expect(onePass).toEqual(
      cases.flatMap((c) => [
        `s0:${c.cart.join(",")}`,
        `s1:${c.cart.join(",")}`,
      ]),
    );
  });
});

describe("scores that are the same for every cart", () => {
  // Orders of 1 to 6 products drawn by hash: carts of every size, hidden items at every rank, and
  // (four more products in the scored orders) some outside the train catalog.
  const drawn = (prefix: string, n: number, day: string, products: number) =>
    Array.from({ length: n }, (_, u) =>
      order(
        `${prefix}${u}`,
        `${day}T${String(u % 24).padStart(2, "0")}:00:00`,
        Array.from(
          { length: 1 + (fnv1a32(`size:${prefix}${u}`) % 6) },
          (_, k) => `P${fnv1a32(`item:${prefix}${u}:${k}`) % products}`,
        ),
      ),
    );
  const split: Split = {
    name: "test",
    train: drawn("t", 120, "2011-01-01", 40),
    evaluation: drawn("e", 80, "2011-11-01", 44),
  };
  // Few distinct values, so most of the ranking is decided by ties.
  const scores = (catalog: readonly string[]) =>
    Float64Array.from(catalog, (sku) => fnv1a32(sku) % 4);

  it("ranks them once and finds the same lists, ranks and per-case values as scoring each cart", () => {
    const everyCart: ScorerFactory = (catalog) => () => scores(catalog);
    const cases = protocolACases(split.evaluation);
    const perCase = () =>
      [0, 1].map(() => ({
        hr10: new Float64Array(cases.length),
        ndcg10: new Float64Array(cases.length),
      }));
    const fixedA = perCase();
    const eachA = perCase();
    const [fixed] = evaluateProtocolAEach(
      split,
      [fixedScorer(scores)],
      cases,
      fixedA,
    );
    const [each] = evaluateProtocolAEach(split, [everyCart], cases, eachA);
    expect(fixed).toEqual(each);
    expect(fixedA).toEqual(eachA);
    // Neither all hits nor all misses: the comparison can tell rankings apart.
    expect(each.hr10).toBeGreaterThan(0);
    expect(each.hr10).toBeLessThan(1);
    expect(each.hiddenOutsideCatalog).toBeGreaterThan(0);
    const [fixedB, eachB] = perCase();
    expect(evaluateProtocolB(split, fixedScorer(scores), fixedB)).toEqual(
      evaluateProtocolB(split, everyCart, eachB),
    );
    expect(fixedB).toEqual(eachB);
  });
});

describe.skipIf(!haveShared)(
  "protocols on the shared Online Retail file",
  () => {
    it("reproduces the README case counts, cross-check rows and checksums", async () => {
      const { orders, rows, badRowCount } = await readOrdersCsv(SHARED_ORDERS);
      expect(rows).toBe(522_454);
      expect(badRowCount).toBe(0);
      expect(orders).toHaveLength(19_770);

      const test = splitOrders(orders, "test");
      expect(test.train).toHaveLength(14_685);
      expect(test.evaluation).toHaveLength(5_085);
      expect(trainPopularity(test.train).catalog).toHaveLength(3_672);
      const testCases = protocolACases(test.evaluation);
      expect(testCases).toHaveLength(4_738);
      expect(hiddenChecksum(testCases)).toBe(106694419);
      expect(
        testCases
          .slice(0, 3)
          .map((c) => [
            c.orderId,
            c.createdAt,
            c.skus.length,
            c.hiddenIndex,
            c.hidden,
          ]),
      ).toEqual([
        ["570206", "2011-10-09T10:13:00", 3, 0, "21524"],
        ["570208", "2011-10-09T10:23:00", 28, 9, "23009"],
        ["570209", "2011-10-09T10:29:00", 37, 16, "22751"],
      ]);
      expect(fnv1a32("42:570206")).toBe(4045625211);
      expect(fnv1a32("42:570208")).toBe(4012069973);
      expect(fnv1a32("42:570209")).toBe(3995292354);
      expect(testCases.at(-1)).toMatchObject({
        orderId: "581587",
        hidden: "22726",
      });
      const catalog = new Set(trainPopularity(test.train).catalog);
      expect(testCases.filter((c) => !catalog.has(c.hidden))).toHaveLength(251);
      const bucketSizes = [1, 2, 5, 10, 20].map((min, i, all) =>
        testCases.filter(
          (c) =>
            c.cart.length >= min &&
            (i === all.length - 1 || c.cart.length < all[i + 1]),
        ),
      );
      expect(bucketSizes.map((b) => b.length)).toEqual([
        208, 499, 779, 1_257, 1_995,
      ]);
      const queries = testCases.reduce((a, c) => a + c.skus.length, 0);
      expect(queries).toBe(148_138);

      const validation = splitOrders(orders, "validation");
      expect(validation.train).toHaveLength(11_397);
      expect(validation.evaluation).toHaveLength(3_288);
      expect(trainPopularity(validation.train).catalog).toHaveLength(3_495);
      const validationCases = protocolACases(validation.evaluation);
      expect(validationCases).toHaveLength(3_061);
      expect(hiddenChecksum(validationCases)).toBe(2829016073);
      expect(validationCases[0]).toMatchObject({
        orderId: "562725",
        hiddenIndex: 3,
        hidden: "22236",
      });
      expect(validationCases[0].skus).toHaveLength(19);
      expect(validationCases.reduce((a, c) => a + c.skus.length, 0)).toBe(
        86_548,
      );
    });
  },
);
