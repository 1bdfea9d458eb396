import { Link } from "@remix-run/react";
import { Card, IndexTable, Layout, Page, Text } from "@shopify/polaris";
import type { ComponentProps, ReactNode } from "react";
import { EmptyPanel } from "./empty-panel";

/**
 * The list page of the merchant's stored records (bundles, rules): a table whose first column
 * names each record and opens its edit page, or an empty state that explains the feature.
 */
export function RecordListPage<T extends { id: string }>({
  title,
  subtitle,
  secondaryActions,
  path,
  noun,
  empty,
  headings: [nameHeading, ...otherHeadings],
  records,
  name,
  cells,
}: {
  title: string;
  subtitle?: string;
  secondaryActions?: { content: string; url: string }[];
  /** The list's own URL: a record is at `path/:id`, a new one at `path/new`. */
  path: string;
  /** "bundle", "rule": the create action and the table's resource name. */
  noun: string;
  empty: ComponentProps<typeof EmptyPanel>;
  /** The name column's heading first, then one per cell. */
  headings: [string, ...string[]];
  records: T[];
  name: (record: T) => string;
  cells: (record: T) => ReactNode[];
}) {
  return (
    <Page
      title={title}
      subtitle={subtitle}
      primaryAction={{ content: `Create ${noun}`, url: `${path}/new` }}
      secondaryActions={secondaryActions}
    >
      <Layout>
        <Layout.Section>
          <Card padding="0">
            {records.length === 0 ? (
              <EmptyPanel {...empty} />
            ) : (
              <IndexTable
                resourceName={{ singular: noun, plural: `${noun}s` }}
                itemCount={records.length}
                selectable={false}
                headings={[
                  { title: nameHeading },
                  ...otherHeadings.map((title) => ({ title })),
                ]}
              >
                {records.map((record, i) => (
                  <IndexTable.Row id={record.id} key={record.id} position={i}>
                    <IndexTable.Cell>
                      <Link to={`${path}/${record.id}`}>
                        <Text as="span" fontWeight="semibold">
                          {name(record)}
                        </Text>
                      </Link>
                    </IndexTable.Cell>
                    {cells(record).map((cell, column) => (
                      <IndexTable.Cell key={otherHeadings[column]}>
                        {cell}
                      </IndexTable.Cell>
                    ))}
                  </IndexTable.Row>
                ))}
              </IndexTable>
            )}
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
