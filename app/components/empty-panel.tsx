import { EmptyState, type EmptyStateProps } from "@shopify/polaris";

/**
 * Polaris's empty state with the app's own picture (public/empty-state.svg). Polaris shows a grey
 * loading placeholder until its image loads, so an empty state without one looks broken for good.
 */
export function EmptyPanel(props: Omit<EmptyStateProps, "image">) {
  return <EmptyState image="/empty-state.svg" {...props} />;
}
