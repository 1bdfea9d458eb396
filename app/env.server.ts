import { z } from "zod";
import { DEFAULT_DATABASE_URL } from "./db-url";

/**
 * Every variable the server reads, validated once at boot so a bad deploy fails loudly
 * instead of on the first request. `.env.example` documents each one.
 */
const EnvSchema = z
  .object({
    NODE_ENV: z
      .enum(["development", "test", "production"])
      .default("development"),
    SHOPIFY_API_KEY: z.string().min(1, "SHOPIFY_API_KEY is required"),
    SHOPIFY_API_SECRET: z.string().min(1, "SHOPIFY_API_SECRET is required"),
    SHOPIFY_APP_URL: z.url("SHOPIFY_APP_URL must be the app's public URL"),
    SCOPES: z
      .string()
      .default("read_products,read_orders,read_customers,write_discounts"),
    SHOP_CUSTOM_DOMAIN: z.string().optional(),
    DATABASE_URL: z.string().default(DEFAULT_DATABASE_URL),
    /** Overrides where the App Bridge script is loaded from (demo mode serves a local stand-in). */
    APP_BRIDGE_URL: z.string().optional(),
    /** Heap limit of the training worker thread, in MB: an outsized shop fails its training, not the process. */
    TRAINING_MAX_HEAP_MB: z.coerce.number().int().min(64).default(4096),
    /** Ranked storefront answers kept in the exact answer memo (decision 024); 0 turns it off. */
    ANSWER_MEMO_ENTRIES: z.coerce.number().int().min(0).default(20_000),
    /** The memo's memory bound, in MB: the offers, and the Liquid rendered from them. */
    ANSWER_MEMO_MB: z.coerce.number().min(1).default(32),
    /** Proxies of the hosting in front of the app, each appending to X-Forwarded-For. */
    TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
    /** Minutes between runs of the job that hands due next-offer sends to Flow; 0 turns it off. */
    NEXT_OFFER_RUN_MINUTES: z.coerce.number().min(0).max(1440).default(5),
    CARTLIFT_DEMO: z
      .enum(["0", "1"])
      .default("0")
      .transform((v) => v === "1"),
  })
  .refine((env) => !(env.CARTLIFT_DEMO && env.NODE_ENV === "production"), {
    message: "CARTLIFT_DEMO=1 is refused when NODE_ENV=production",
    path: ["CARTLIFT_DEMO"],
  });

export type Env = z.infer<typeof EnvSchema>;

export function parseEnv(source: NodeJS.ProcessEnv): Env {
  const result = EnvSchema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues
      .map((i) => `  ${i.path.join(".")}: ${i.message}`)
      .join("\n");
    throw new Error(`Invalid environment:\n${problems}`);
  }
  return result.data;
}

export const env = parseEnv(process.env);
