import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import {
  AppProvider as PolarisAppProvider,
  Button,
  Card,
  FormLayout,
  Page,
  Text,
  TextField,
} from "@shopify/polaris";
import polarisTranslations from "@shopify/polaris/locales/en.json";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { useState } from "react";
import { login } from "~/shopify.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

const LOGIN_ERRORS: Record<string, string> = {
  MissingShop: "Enter your shop domain to log in.",
  InvalidShop: "Enter a valid shop domain, such as my-shop.myshopify.com.",
};

/** Reached when the app is opened outside Shopify admin: asks for the shop, then starts OAuth. */
async function loginErrors(request: Request) {
  const result = await login(request);
  return {
    shopError:
      "shop" in result ? LOGIN_ERRORS[result.shop as string] : undefined,
  };
}

export const loader = async ({ request }: LoaderFunctionArgs) =>
  loginErrors(request);
export const action = async ({ request }: ActionFunctionArgs) =>
  loginErrors(request);

export default function Login() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [shop, setShop] = useState("");
  const error = actionData?.shopError ?? loaderData.shopError;
  return (
    <PolarisAppProvider i18n={polarisTranslations}>
      <Page narrowWidth>
        <Card>
          <Form method="post">
            <FormLayout>
              <Text variant="headingMd" as="h1">
                Log in to Cartlift
              </Text>
              <TextField
                type="text"
                name="shop"
                label="Shop domain"
                helpText="example.myshopify.com"
                value={shop}
                onChange={setShop}
                autoComplete="on"
                error={error}
              />
              <Button submit>Log in</Button>
            </FormLayout>
          </Form>
        </Card>
      </Page>
    </PolarisAppProvider>
  );
}
