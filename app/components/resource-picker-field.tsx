import {
  BlockStack,
  Button,
  InlineError,
  InlineStack,
  Tag,
  Text,
} from "@shopify/polaris";
import { useAppBridge } from "@shopify/app-bridge-react";

export interface PickedResource {
  id: string;
  title: string;
}

const gid = (type: "product" | "collection", id: string) =>
  `gid://shopify/${type === "product" ? "Product" : "Collection"}/${id}`;
const numericId = (id: string) => id.slice(id.lastIndexOf("/") + 1);

/**
 * Products or collections chosen with App Bridge's resource picker (in demo mode, the stand-in's
 * dialog). The ids travel in a hidden input as a JSON array of numeric ids, validated by the route.
 */
export function ResourcePickerField({
  label,
  name,
  type,
  multiple,
  value,
  onChange,
  error,
}: {
  label: string;
  name: string;
  type: "product" | "collection";
  multiple: boolean;
  value: PickedResource[];
  onChange: (value: PickedResource[]) => void;
  error?: string;
}) {
  const shopify = useAppBridge();
  const errorId = `${name}-error`;
  const pick = async () => {
    const selected = await shopify.resourcePicker({
      type,
      multiple,
      action: "select",
      selectionIds: value.map((v) => ({ id: gid(type, v.id) })),
    });
    if (selected)
      onChange(
        selected.map((s) => {
          const id = numericId(s.id);
          const before = value.find((v) => v.id === id)?.title;
          return { id, title: s.title ?? before ?? `#${id}` };
        }),
      );
  };
  const noun = type === "product" ? "products" : "collection";
  return (
    <BlockStack gap="200">
      <Text as="span" variant="bodyMd">
        {label}
      </Text>
      <input
        type="hidden"
        name={name}
        value={JSON.stringify(
          multiple ? value.map((v) => v.id) : (value[0]?.id ?? ""),
        )}
      />
      {value.length > 0 && (
        <InlineStack gap="200">
          {value.map((v) => (
            <Tag
              key={v.id}
              onRemove={() => onChange(value.filter((x) => x.id !== v.id))}
            >
              {v.title}
            </Tag>
          ))}
        </InlineStack>
      )}
      <InlineStack>
        <Button onClick={pick} accessibilityLabel={`${label}: choose ${noun}`}>
          {value.length > 0 ? `Change ${noun}` : `Choose ${noun}`}
        </Button>
      </InlineStack>
      {error && <InlineError message={error} fieldID={errorId} />}
    </BlockStack>
  );
}
