import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";

// Shopify opens the app at its root with `shop` and `host`; the admin lives under /app.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (url.searchParams.get("shop"))
    throw redirect(`/app?${url.searchParams.toString()}`);
  return null;
};

export default function Index() {
  return (
    <main
      style={{
        fontFamily: "system-ui, sans-serif",
        maxWidth: 640,
        margin: "4rem auto",
        lineHeight: 1.5,
      }}
    >
      <h1>Cartlift</h1>
      <p>
        Upsells, cross-sells and bundles that shoppers find helpful, with A/B
        tests that prove their effect. Install Cartlift from the Shopify App
        Store and open it from your store&apos;s admin.
      </p>
    </main>
  );
}
