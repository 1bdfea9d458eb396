import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { visitorKey } from "~/services/measurement/attribution.server";
import {
  armFor,
  createExperiment,
  startExperiment,
} from "~/services/experiments/experiments.server";
import { saveOrders } from "~/services/catalog/orders.server";
import { exportCustomerData, redactCustomer } from "./privacy.server";
import { holdoutArm } from "../../../test/fixtures";

const SHOP = "privacy-experiments.myshopify.com";

describe("customers/data_request and customers/redact with experiment data", () => {
  it("unlinks the customer's orders from their visitor and deletes that visitor's exposures, events and pixel events", async () => {
    const experiment = await createExperiment(SHOP, {
      name: "Redaction",
      primaryMetric: "conversion",
      placements: ["cart"],
      arms: [
        holdoutArm(50),
        {
          name: "Offers",
          weight: 50,
          holdout: false,
          strategy: null,
          offerCount: null,
        },
      ],
    });
    await startExperiment(SHOP, experiment.id);
    const mine = visitorKey(SHOP, "visitor-of-customer-42");
    const other = visitorKey(SHOP, "someone-else-entirely");
    await armFor(SHOP, "cart", mine);
    await armFor(SHOP, "cart", other);
    await prisma.event.createMany({
      data: [mine, other].map((key) => ({
        shop: SHOP,
        type: "impression",
        placement: "cart",
        visitorKey: key,
      })),
    });
    await prisma.pixelEvent.createMany({
      data: [mine, other].map((key) => ({
        shop: SHOP,
        eventId: `add-${key}`,
        line: 0,
        type: "product_added_to_cart",
        visitorKey: key,
        clientKey: `client-${key}`,
      })),
    });
    const at = new Date();
    await saveOrders(SHOP, [
      {
        id: "42001",
        name: "#42001",
        createdAt: at,
        sourceUpdatedAt: at,
        cancelledAt: null,
        currency: "USD",
        subtotalMinor: 1000,
        totalMinor: 1000,
        customerId: "42",
        visitorId: "visitor-of-customer-42",
        lines: [],
      },
    ]);
    expect(
      (await prisma.order.findFirst({ where: { shop: SHOP, id: "42001" } }))
        ?.visitorKey,
    ).toBe(mine);

    // The export names what the redaction will remove: the visitor's event and exposure.
    const exported = await exportCustomerData(SHOP, { customer: { id: "42" } });
    expect(exported.events).toHaveLength(1);
    expect(exported.pixelEvents).toHaveLength(1);
    expect(exported.experimentExposures).toEqual([
      expect.objectContaining({ experimentId: experiment.id }),
    ]);

    await redactCustomer(SHOP, { customer: { id: "42" } });

    const order = await prisma.order.findFirst({
      where: { shop: SHOP, id: "42001" },
      select: { customerKey: true, visitorKey: true },
    });
    expect(order).toEqual({ customerKey: null, visitorKey: null });
    const exposures = await prisma.experimentExposure.findMany({
      where: { shop: SHOP },
      select: { visitorKey: true },
    });
    expect(exposures).toEqual([{ visitorKey: other }]);
    const events = await prisma.event.findMany({
      where: { shop: SHOP },
      select: { visitorKey: true },
    });
    expect(events).toEqual([{ visitorKey: other }]);
    const pixelEvents = await prisma.pixelEvent.findMany({
      where: { shop: SHOP },
      select: { visitorKey: true },
    });
    expect(pixelEvents).toEqual([{ visitorKey: other }]);
  });
});
