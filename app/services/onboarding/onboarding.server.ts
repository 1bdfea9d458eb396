import prisma from "~/db.server";
import {
  type ImportProgress,
  importProgress,
} from "~/services/catalog/import.server";
import {
  type TrainingStatus,
  retrainIfDue,
  trainingStatus,
} from "~/services/model/model.server";

/** The theme app extension's handle and its blocks (extensions/cartlift-theme). */
export const THEME_EXTENSION = {
  fbt: "frequently-bought-together",
  upgrade: "upgrade",
  completeOrder: "complete-your-order",
  embed: "cart-drawer",
} as const;

/** Steps the merchant confirms by hand: they happen in the theme editor, outside the app. */
export const MANUAL_STEPS = [
  "app_embed",
  "block_fbt",
  "block_upgrade",
  "block_cart",
  "experiment",
] as const;
export type ManualStep = (typeof MANUAL_STEPS)[number];

export function isManualStep(value: string): value is ManualStep {
  return (MANUAL_STEPS as readonly string[]).includes(value);
}

export interface ChecklistItem {
  id: string;
  title: string;
  description: string;
  done: boolean;
  /** Whether the merchant marks it (true) or the app detects it (false). */
  manual: boolean;
  /** Where to do it: a theme editor deep link (opens in admin) or an app page. */
  action?: { label: string; url: string; external: boolean };
}

/** Theme editor deep links that add a block or turn on the embed, as Shopify documents them. */
export function themeEditorLinks(shop: string, apiKey: string) {
  const editor = `https://${shop}/admin/themes/current/editor`;
  const block = (template: string, handle: string) =>
    `${editor}?${new URLSearchParams({
      template,
      addAppBlockId: `${apiKey}/${handle}`,
      target: "mainSection",
    })}`;
  return {
    embed: `${editor}?${new URLSearchParams({
      context: "apps",
      activateAppId: `${apiKey}/${THEME_EXTENSION.embed}`,
    })}`,
    fbt: block("product", THEME_EXTENSION.fbt),
    upgrade: block("product", THEME_EXTENSION.upgrade),
    cart: block("cart", THEME_EXTENSION.completeOrder),
  };
}

export interface ChecklistInput {
  shop: string;
  apiKey: string;
  trained: boolean;
  reviewedSuggestions: boolean;
  /** Whether Shopify's automatic bundle discount exists (bundle-discount.server.ts). */
  discountCreated: boolean;
  /** Whether an experiment of the shop has been started (running or since stopped). */
  experimentStarted: boolean;
  manualDone: ReadonlySet<string>;
}

/** Pure: the onboarding checklist from what the app knows about the shop. */
export function buildChecklist(input: ChecklistInput): ChecklistItem[] {
  const links = themeEditorLinks(input.shop, input.apiKey);
  const manual = (
    id: ManualStep,
    title: string,
    description: string,
    action?: ChecklistItem["action"],
  ): ChecklistItem => ({
    id,
    title,
    description,
    done: input.manualDone.has(id),
    manual: true,
    action,
  });
  const themeLink = (url: string, label: string) => ({
    label,
    url,
    external: true,
  });
  return [
    {
      id: "suggestions",
      title: "Review your first suggestions",
      description:
        "Accept the bundles and cross-sells that make sense for your store, dismiss the rest.",
      done: input.reviewedSuggestions,
      manual: false,
      action: input.trained
        ? { label: "See suggestions", url: "/app/suggestions", external: false }
        : undefined,
    },
    manual(
      "app_embed",
      "Turn on the cart drawer",
      "Enable the Cartlift app embed so the cart drawer suggests what completes the order.",
      themeLink(links.embed, "Open theme editor"),
    ),
    manual(
      "block_fbt",
      "Add “Frequently bought together” to product pages",
      "Shows the product's best bundle, with its discount, under the buy buttons.",
      themeLink(links.fbt, "Add block"),
    ),
    manual(
      "block_upgrade",
      "Add “Upgrade” to product pages",
      "Offers the next tier up within your price band, with what differs.",
      themeLink(links.upgrade, "Add block"),
    ),
    manual(
      "block_cart",
      "Add “Complete your order” to the cart page",
      "Suggestions that change as the cart changes.",
      themeLink(links.cart, "Add block"),
    ),
    {
      id: "bundle_discount",
      title: "Create the bundle discount",
      description:
        "Activate a bundle: Cartlift then creates one automatic discount that applies every bundle's price at checkout.",
      done: input.discountCreated,
      manual: false,
      action: { label: "Bundles", url: "/app/bundles", external: false },
    },
    {
      id: "experiment",
      title: "Run a first experiment",
      description:
        "Keep a hold-out that sees no widget, so the lift Cartlift reports is measured, not claimed.",
      // Detected: ticked as soon as an experiment starts (a tick from before still counts).
      done: input.experimentStarted || input.manualDone.has("experiment"),
      manual: false,
      action: {
        label: "Experiments",
        url: "/app/experiments",
        external: false,
      },
    },
  ];
}

export interface Onboarding {
  import: ImportProgress;
  training: TrainingStatus;
  checklist: ChecklistItem[];
}

export async function onboarding(
  shop: string,
  apiKey: string,
): Promise<Onboarding> {
  // Opening the admin is one of the retrain triggers (docs/decisions/008).
  await retrainIfDue(shop);
  const [progress, training, decisions, discountCount, experiments, steps] =
    await Promise.all([
      importProgress(shop),
      trainingStatus(shop),
      prisma.suggestionDecision.count({ where: { shop } }),
      prisma.bundleDiscount.count({ where: { shop } }),
      prisma.experiment.count({ where: { shop, startedAt: { not: null } } }),
      prisma.onboardingStep.findMany({
        where: { shop },
        select: { step: true },
      }),
    ]);
  return {
    import: progress ?? {
      status: "pending",
      products: 0,
      orders: 0,
      objects: 0,
      objectsTotal: 0,
      secondsLeft: null,
    },
    training,
    checklist: buildChecklist({
      shop,
      apiKey,
      trained: training.state === "trained" || training.trainedAt !== null,
      reviewedSuggestions: decisions > 0,
      discountCreated: discountCount > 0,
      experimentStarted: experiments > 0,
      manualDone: new Set(steps.map((s) => s.step)),
    }),
  };
}

export async function setStepDone(
  shop: string,
  step: ManualStep,
  done: boolean,
): Promise<void> {
  if (done) {
    await prisma.onboardingStep.upsert({
      where: { shop_step: { shop, step } },
      create: { shop, step },
      update: {},
    });
  } else {
    await prisma.onboardingStep.deleteMany({ where: { shop, step } });
  }
}

/** What the home page shows beside the checklist: the import's state and the catalog's size. */
/** How much order history the model can learn from, and what Shopify withholds. */
export interface OrderHistory {
  /** Days between the oldest and the newest imported order (0 without orders). */
  days: number;
  since: string | null;
  /** Whether the shop granted read_all_orders; null until the import asked Shopify. */
  allOrdersAccess: boolean | null;
}

export interface ShopOverview {
  importStatus: string;
  products: number;
  orders: number;
  /** Orders not cancelled: what training learns from. */
  activeOrders: number;
  currency: string;
  history: OrderHistory;
}

const DAY_MS = 86_400_000;

/** Pure: the history span from the oldest and newest order dates. */
export function orderHistory(
  oldest: Date | null,
  newest: Date | null,
  allOrdersAccess: boolean | null,
): OrderHistory {
  return {
    days:
      oldest && newest
        ? Math.max(1, Math.ceil((newest.getTime() - oldest.getTime()) / DAY_MS))
        : 0,
    since: oldest?.toISOString() ?? null,
    allOrdersAccess,
  };
}

/** Pure: what the merchant reads about the history behind the model. */
export function historyNote(history: OrderHistory): string | null {
  if (history.allOrdersAccess === null || history.days === 0) return null;
  const since = new Date(history.since!).toLocaleDateString("en-US", {
    dateStyle: "medium",
  });
  const span = `${history.days} day${history.days === 1 ? "" : "s"} of orders (since ${since})`;
  return history.allOrdersAccess
    ? `Learns from your whole order history: ${span}.`
    : `Learns from ${span}: without the read_all_orders permission Shopify shares only the last 60 days. Older orders are missing, so seasonal products, slow sellers and repeat-purchase intervals have less evidence behind them.`;
}

export async function shopOverview(shop: string): Promise<ShopOverview> {
  const [state, products, orders, activeOrders, span] = await Promise.all([
    prisma.shop.findUnique({
      where: { shop },
      select: { importStatus: true, currency: true, allOrdersAccess: true },
    }),
    prisma.product.count({ where: { shop } }),
    prisma.order.count({ where: { shop } }),
    prisma.order.count({ where: { shop, cancelledAt: null } }),
    prisma.order.aggregate({
      where: { shop },
      _min: { createdAt: true },
      _max: { createdAt: true },
    }),
  ]);
  return {
    importStatus: state?.importStatus ?? "pending",
    currency: state?.currency ?? "USD",
    products,
    orders,
    activeOrders,
    history: orderHistory(
      span._min.createdAt,
      span._max.createdAt,
      state?.allOrdersAccess ?? null,
    ),
  };
}
