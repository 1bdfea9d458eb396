import { setupServer } from "msw/node";

/** One MSW server for the test run; tests add handlers with `mswServer.use(...)`. */
export const mswServer = setupServer();
