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
  type ChargeSummary,
  type PostPurchaseOfferPayload,
  acceptOffer,
  calculationChangesFor,
  chargeSummary,
  clampQuantity,
  declineOffer,
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
  const [charges, setCharges] = useState<ChargeSummary | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // Shopify prices the change (presentment currency, shipping, taxes) for the chosen quantity.
  useEffect(() => {
    if (!offer) return;
    let current = true;
    setCharges(null);
    calculateChangeset({
      changes: calculationChangesFor(offer, quantity),
    }).then(
      (result) => {
        if (current) setCharges(chargeSummary(result.calculatedPurchase));
      },
      () => {
        if (current) setCharges(null);
      },
    );
    return () => {
      current = false;
    };
  }, [offer, quantity, calculateChangeset]);

  if (!offer) return null;

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
          screenMessages(inputData.locale),
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
