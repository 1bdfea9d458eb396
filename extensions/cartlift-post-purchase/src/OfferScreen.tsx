import {
  BlockStack,
  Button,
  CalloutBanner,
  Heading,
  Image,
  Layout,
  Select,
  Separator,
  Text,
  TextBlock,
  TextContainer,
  View,
} from "@shopify/post-purchase-ui-extensions-react";
import {
  type ChargeSummary,
  type OfferLinePrice,
  type PostPurchaseOfferPayload,
  formatMinor,
} from "./contract";
import { discountLabel, say, screenMessages } from "./messages";

export interface OfferScreenProps {
  offer: PostPurchaseOfferPayload;
  quantity: number;
  /**
   * The offered line's price in the currency the buyer pays in (contract.ts `offerLinePrice`);
   * null until Shopify has priced it, when the buyer pays in another currency than the shop's.
   */
  price: OfferLinePrice | null;
  /** Shopify's calculation for the current quantity; null while it runs. */
  charges: ChargeSummary | null;
  busy: boolean;
  error: string | null;
  locale?: string;
  onQuantityChange: (quantity: number) => void;
  onAccept: () => void;
  onDecline: () => void;
}

/**
 * The offer as the buyer sees it: product, price (with the discount), the reason, quantity, what
 * accepting will charge, and accept/decline. No state and no hooks: index.tsx owns the flow, so
 * this renders the same for any props, under React 17 in checkout or in a test. Every amount is
 * in the currency it is given in (the buyer's); the offer's own shop-currency figures are never
 * read here, and paying waits for a price to show.
 */
export function OfferScreen({
  offer,
  quantity,
  price,
  charges,
  busy,
  error,
  locale = "en",
  onQuantityChange,
  onAccept,
  onDecline,
}: OfferScreenProps) {
  const m = screenMessages(locale);
  const money = (minor: number, currency: string) =>
    formatMinor(minor, currency, locale);
  const options = Array.from(
    { length: offer.maxQuantity - offer.minQuantity + 1 },
    (_, i) => String(offer.minQuantity + i),
  );
  return (
    <BlockStack spacing="loose">
      <CalloutBanner title={m.bannerTitle}>{m.bannerBody}</CalloutBanner>
      <Layout
        media={[
          { viewportSize: "small", sizes: [1, 0, 1], maxInlineSize: 0.9 },
          { viewportSize: "medium", sizes: [532, 0, 1], maxInlineSize: 420 },
          { viewportSize: "large", sizes: [560, 38, 340] },
        ]}
      >
        {offer.imageUrl ? (
          <Image source={offer.imageUrl} description={offer.title} />
        ) : (
          <View />
        )}
        <View />
        <BlockStack spacing="loose">
          <TextContainer>
            <Heading>{offer.title}</Heading>
            {offer.variantTitle && offer.variantTitle !== "Default Title" ? (
              <TextBlock subdued>{offer.variantTitle}</TextBlock>
            ) : null}
            {price ? (
              <TextBlock>
                <Text size="medium" emphasized>
                  {money(price.discountedPriceMinor, price.currency)}
                </Text>
                {offer.discount &&
                price.discountedPriceMinor < price.priceMinor ? (
                  <>
                    {" "}
                    <Text role="deletion" subdued>
                      {money(price.priceMinor, price.currency)}
                    </Text>{" "}
                    <Text appearance="success">
                      {discountLabel(offer.discount.value, locale)}
                    </Text>
                  </>
                ) : null}
              </TextBlock>
            ) : error ? null : (
              <TextBlock subdued>{m.pricing}</TextBlock>
            )}
            {offer.reason ? <TextBlock>{offer.reason}</TextBlock> : null}
          </TextContainer>
          {options.length > 1 ? (
            <Select
              label={m.quantity}
              value={String(quantity)}
              options={options.map((value) => ({ value, label: value }))}
              onChange={(value: string) => onQuantityChange(Number(value))}
            />
          ) : null}
          <Separator />
          {charges ? (
            <BlockStack spacing="tight">
              <TextBlock>
                {say(m.shipping, {
                  amount: money(charges.shippingMinor, charges.currency),
                })}
              </TextBlock>
              <TextBlock>
                {say(m.taxes, {
                  amount: money(charges.taxesMinor, charges.currency),
                })}
              </TextBlock>
              <TextBlock emphasized>
                {say(m.total, {
                  amount: money(charges.totalMinor, charges.currency),
                })}
              </TextBlock>
            </BlockStack>
          ) : null}
          {error ? <TextBlock appearance="critical">{error}</TextBlock> : null}
          <BlockStack>
            <Button submit onPress={onAccept} loading={busy} disabled={!price}>
              {charges
                ? say(m.payNowAmount, {
                    amount: money(charges.totalMinor, charges.currency),
                  })
                : m.payNow}
            </Button>
            <Button subdued onPress={onDecline} disabled={busy}>
              {m.decline}
            </Button>
          </BlockStack>
        </BlockStack>
      </Layout>
    </BlockStack>
  );
}
