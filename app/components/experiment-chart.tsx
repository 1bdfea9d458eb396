import {
  LineChart,
  type LineChartProps,
  PolarisVizProvider,
} from "@shopify/polaris-viz";

type DataSeries = LineChartProps["data"][number];

// Loaded lazily and only in the browser by the experiment page (see ChartBox). One solid line per
// arm for the estimate, and two thin dashed lines of the same colour for its 95% interval:
// Polaris Viz draws no bands, and lines keep each arm's interval readable where arms overlap.
// Drawn without the load animation: Polaris Viz paints each line through a mask whose path the
// animation moves up from the zero line, and Chromium kept painting the first frame, so every
// line showed flat at $0 while the page held the right shapes.

export interface ChartArm {
  name: string;
  color: string;
  points: ({ estimate: number; lower: number; upper: number } | null)[];
}

export default function ExperimentChart({
  labels,
  arms,
  formatY,
}: {
  /** The x-axis label of each point. */
  labels: string[];
  arms: ChartArm[];
  formatY: (value: number) => string;
}) {
  const line = (
    name: string,
    color: string,
    values: (number | null)[],
    dashed: boolean,
  ): DataSeries => ({
    name,
    color,
    data: labels.map((key, i) => ({ key, value: values[i] ?? null })),
    ...(dashed
      ? { styleOverride: { line: { width: 1, strokeDasharray: "4 3" } } }
      : {}),
  });
  const data = arms.flatMap((arm) => [
    line(
      arm.name,
      arm.color,
      arm.points.map((p) => p?.estimate ?? null),
      false,
    ),
    line(
      `${arm.name}: 95% low`,
      arm.color,
      arm.points.map((p) => p?.lower ?? null),
      true,
    ),
    line(
      `${arm.name}: 95% high`,
      arm.color,
      arm.points.map((p) => p?.upper ?? null),
      true,
    ),
  ]);
  return (
    <PolarisVizProvider>
      <LineChart
        data={data}
        isAnimated={false}
        theme="Light"
        showLegend={false}
        xAxisOptions={{ labelFormatter: (v) => String(v ?? "") }}
        yAxisOptions={{ labelFormatter: (v) => formatY(Number(v ?? 0)) }}
        tooltipOptions={{ valueFormatter: (v) => formatY(Number(v ?? 0)) }}
      />
    </PolarisVizProvider>
  );
}
