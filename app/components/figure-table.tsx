import type { ReactNode } from "react";
import { DataTable, Text } from "@shopify/polaris";
import type { DataTableProps } from "@shopify/polaris";
import "./figure-table.css";

/**
 * A table of figures that reads on a phone, rather than a table the merchant must swipe sideways:
 * Polaris's DataTable from 490 px up; below that each row stacked, its first cell as a title and
 * every other figure beside its column's name. The same rows and figures in both; CSS chooses
 * (figure-table.css), so the server renders what the screen shows and nothing shifts. A table of
 * a few short figures (`phone="table"`) stays a table, its headings wrapped to fit.
 */
export function FigureTable({
  columnContentTypes,
  headings,
  rows,
  footerContent,
  phone = "list",
}: {
  columnContentTypes: DataTableProps["columnContentTypes"];
  headings: string[];
  rows: ReactNode[][];
  footerContent?: ReactNode;
  phone?: "list" | "table";
}) {
  const table = (
    <DataTable
      columnContentTypes={columnContentTypes}
      headings={headings}
      rows={rows}
      footerContent={footerContent}
    />
  );
  if (phone === "table")
    return <div className="cartlift-figures__wrapped">{table}</div>;
  // A row named by a number ("2" offers shown) is titled with its column's name too.
  const title = (cell: ReactNode) =>
    columnContentTypes[0] === "text" ? (
      cell
    ) : (
      <>
        {headings[0]}: {cell}
      </>
    );
  return (
    <>
      <div className="cartlift-figures__table">{table}</div>
      <div className="cartlift-figures__list">
        <ul>
          {rows.map(([first, ...figures], i) => (
            <li key={i}>
              <Text as="p" fontWeight="semibold">
                {title(first)}
              </Text>
              <dl>
                {figures.map((figure, j) => (
                  <div key={j}>
                    <dt>
                      <Text as="span" tone="subdued">
                        {headings[j + 1]}
                      </Text>
                    </dt>
                    <dd>
                      <Text as="span" numeric>
                        {figure}
                      </Text>
                    </dd>
                  </div>
                ))}
              </dl>
            </li>
          ))}
        </ul>
        {footerContent ? (
          <div className="cartlift-figures__footer">
            <Text as="p" variant="bodySm">
              {footerContent}
            </Text>
          </div>
        ) : null}
      </div>
    </>
  );
}
