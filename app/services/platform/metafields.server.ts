import { z } from "zod";
import {
  type AdminGraphql,
  type QueryOptions,
  type UserError,
  UserErrors,
  adminQuery,
} from "./admin-graphql.server";

// metafieldsSet upserts by owner, namespace and key: the documented way to change a metafield
// (a Function's configuration, a customer's reminder) without touching anything else the owner has.
const SET = `#graphql
  mutation CartliftMetafieldsSet($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      userErrors {
        field
        message
        code
      }
    }
  }`;

const SetResult = z.object({
  metafieldsSet: z.object({ userErrors: UserErrors }),
});

export interface MetafieldInput {
  ownerId: string;
  namespace: string;
  key: string;
  type: "json";
  value: string;
}

/** Writes the metafields; Shopify's refusals come back for the caller to raise as its own error. */
export async function setMetafields(
  graphql: AdminGraphql,
  metafields: MetafieldInput[],
  options: QueryOptions = {},
): Promise<UserError[]> {
  const result = await adminQuery(
    graphql,
    SET,
    { metafields },
    SetResult,
    options,
  );
  return result.metafieldsSet.userErrors;
}
