// Cartlift's one-click post-purchase offer. ShouldRender asks the app for an offer for the order
// just placed and keeps it in storage; Render shows it, and on accept has Shopify calculate the
// changes, the app sign them, and Shopify apply them. Logic lives in contract.ts (tested without
// React 17); this file only wires Shopify's extension API to it.
import { useEffect, useState } from "react";
import {
  extend,
  render,
  useExtensionInput,
} from "@shopify/post-purchase-ui-extensions-react";
import { APP_URL } from "./app-url";
import {
  type CalculateChangesetResult,
  type CalculatedPurchase,
  type PostPurchaseOfferPayload,
  acceptOffer,
  calculationChangesFor,
  chargeSummary,
  clampQuantity,
  declineOffer,
  offerLinePrice,
  presentmentCurrencyOf,
  requestOffer,
} from "./contract";
import { screenMessages } from "./messages";
import { OfferScreen } from "./OfferScreen";

interface StoredOffer {
  offer: PostPurchaseOfferPayload | null;
}

extend(
  "Checkout::PostPurchase::ShouldRender",
  async ({ inputData, storage }) => {
    const offer = await requestOffer(
      fetch,
      APP_URL,
      inputData.token,
      inputData.initialPurchase,
      inputData.locale,
    );
    const stored: StoredOffer = { offer };
    await storage.update(stored);
    return { render: offer !== null };
  },
);

render("Checkout::PostPurchase::Render", () => <App />);

export function App() {
  const { storage, inputData, calculateChangeset, applyChangeset, done } =
    useExtensionInput<"Checkout::PostPurchase::Render">();
  const { offer } = storage.initialData as StoredOffer;
  const [quantity, setQuantity] = useState(offer?.minQuantity ?? 1);
  const [calculated, setCalculated] = useState<CalculatedPurchase | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const messages = screenMessages(inputData.locale);

  // Shopify prices the change for the chosen quantity: the line, shipping and taxes, in the
  // buyer's (presentment) currency. The screen's amounts all come from this answer.
  useEffect(() => {
    if (!offer) return;
    let current = true;
    setCalculated(null);
    setError(null);
    calculateChangeset({
      changes: calculationChangesFor(offer, quantity),
    }).then(
      (result: CalculateChangesetResult) => {
        if (!current) return;
        if (result.status === "processed" && result.calculatedPurchase)
          setCalculated(result.calculatedPurchase);
        else setError(messages.unavailable);
      },
      () => {
        if (current) setError(messages.failed);
      },
    );
    return () => {
      current = false;
    };
  }, [offer, quantity, calculateChangeset, messages]);

  if (!offer) return null;

  // The app's offer is in the shop's currency: shown only until Shopify's answer, and only to a
  // buyer paying in that currency (contract.ts offerLinePrice).
  const price = offerLinePrice(
    offer,
    quantity,
    calculated,
    presentmentCurrencyOf(inputData.initialPurchase),
  );
  const charges = chargeSummary(calculated);

  const actions = {
    token: inputData.token,
    referenceId: inputData.initialPurchase.referenceId,
    locale: inputData.locale,
    calculateChangeset,
    applyChangeset,
    done,
  };

  return (
    <OfferScreen
      offer={offer}
      quantity={quantity}
      price={price}
      charges={charges}
      busy={busy}
      error={error}
      locale={inputData.locale}
      onQuantityChange={(q) => setQuantity(clampQuantity(offer, q))}
      onAccept={async () => {
        setBusy(true);
        setError(null);
        const result = await acceptOffer(
          fetch,
          APP_URL,
          actions,
          offer,
          quantity,
          messages,
        );
        if (result.status === "failed") {
          setError(result.message);
          setBusy(false);
        }
      }}
      onDecline={async () => {
        setBusy(true);
        await declineOffer(actions);
      }}
    />
  );
}
