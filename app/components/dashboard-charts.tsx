import { BarChart, LineChart, PolarisVizProvider } from "@shopify/polaris-viz";

// Loaded lazily and only in the browser by the dashboard: Polaris Viz measures its container,
// and keeping it out of the first bundle keeps the page's first paint fast.

export interface SeriesPoint {
  key: string;
  value: number | null;
}

export interface Series {
  name: string;
  data: SeriesPoint[];
}

export default function DashboardChart({
  kind,
  series,
  formatY,
}: {
  kind: "line" | "bar";
  series: Series[];
  formatY: (value: number) => string;
}) {
  return (
    <PolarisVizProvider>
      {kind === "line" ? (
        <LineChart
          data={series}
          theme="Light"
          yAxisOptions={{ labelFormatter: (v) => formatY(Number(v ?? 0)) }}
          tooltipOptions={{ valueFormatter: (v) => formatY(Number(v ?? 0)) }}
        />
      ) : (
        <BarChart
          data={series}
          theme="Light"
          yAxisOptions={{ labelFormatter: (v) => formatY(Number(v ?? 0)) }}
          tooltipOptions={{ valueFormatter: (v) => formatY(Number(v ?? 0)) }}
        />
      )}
    </PolarisVizProvider>
  );
}
