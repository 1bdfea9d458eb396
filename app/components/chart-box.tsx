import { SkeletonBodyText } from "@shopify/polaris";
import { Suspense, useEffect, useState } from "react";

/**
 * Where a Polaris Viz chart goes. The chart renders only in the browser (it measures its
 * container, and the server has none), lazily loaded; the box has its height before and after,
 * so nothing below it shifts (CLS).
 */
export function ChartBox({
  children,
  height = 260,
}: {
  children: React.ReactNode;
  height?: number;
}) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return (
    <div style={{ height }}>
      {mounted ? (
        <Suspense fallback={<SkeletonBodyText lines={8} />}>
          {children}
        </Suspense>
      ) : (
        <SkeletonBodyText lines={8} />
      )}
    </div>
  );
}
