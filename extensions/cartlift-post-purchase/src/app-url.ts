// Where the extension reaches the app. Post-purchase extensions cannot read the app's URL at run
// time, so it is built in: set it to `application_url` from shopify.app.toml before
// `shopify app deploy` (README, "Go live"). For `shopify app dev`, use the tunnel URL it prints.
export const APP_URL = "https://example.com";
