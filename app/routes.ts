import { flatRoutes } from "@remix-run/fs-routes";

// Route tests sit beside the routes they call and are not routes (flatRoutes skips dotfiles itself).
export default flatRoutes({ ignoredRouteFiles: ["**/*.test.{ts,tsx}"] });
