import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import {
  Card,
  Checkbox,
  FormLayout,
  Layout,
  Select,
  TextField,
} from "@shopify/polaris";
import { RecordFormPage } from "~/components/record-form-page";
import { useState } from "react";
import { authenticate } from "~/shopify.server";
import {
  ResourcePickerField,
  type PickedResource,
} from "~/components/resource-picker-field";
import {
  type RuleView,
  createRule,
  deleteRule,
  getRule,
  parseRuleForm,
  updateRule,
} from "~/services/merchandising/rules.server";
import { invariantResponse } from "~/http/invariant-response";
import { postedFields } from "~/http/admin-form.server";

export { ErrorBoundary, headers } from "~/http/admin-boundary";

const NOT_FOUND = "This rule does not exist in your store.";

const EMPTY: RuleView = {
  id: "new",
  name: "",
  triggerType: "product",
  triggerValue: "",
  triggerLabel: "",
  action: "pin",
  targets: [],
  priority: 0,
  active: true,
};

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  if (params.id === "new") return { isNew: true, rule: EMPTY };
  const rule = await getRule(session.shop, params.id ?? "");
  invariantResponse(rule, NOT_FOUND, { status: 404 });
  return { isNew: false, rule };
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session, redirect } = await authenticate.admin(request);
  const form = await postedFields(request);
  const id = params.id ?? "";
  if (form.intent === "delete") {
    invariantResponse(await deleteRule(session.shop, id), NOT_FOUND, {
      status: 404,
    });
    return redirect("/app/rules");
  }
  const parsed = parseRuleForm(form);
  if (!parsed.ok) return data({ errors: parsed.errors }, { status: 422 });
  if (id === "new") await createRule(session.shop, parsed.values);
  else
    invariantResponse(
      await updateRule(session.shop, id, parsed.values),
      NOT_FOUND,
      { status: 404 },
    );
  return redirect("/app/rules");
};

export default function RuleEditor() {
  const { isNew, rule } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors: Partial<Record<string, string>> =
    result && "errors" in result ? result.errors : {};
  const [name, setName] = useState(rule.name);
  const [triggerType, setTriggerType] = useState<string>(rule.triggerType);
  const [triggerPicked, setTriggerPicked] = useState<PickedResource[]>(
    // A new rule has no trigger yet: no chip rather than an empty one.
    (rule.triggerType === "product" || rule.triggerType === "collection") &&
      rule.triggerValue
      ? [{ id: rule.triggerValue, title: rule.triggerLabel }]
      : [],
  );
  const [tag, setTag] = useState(
    rule.triggerType === "tag" ? rule.triggerValue : "",
  );
  const [ruleAction, setRuleAction] = useState<string>(rule.action);
  const [targets, setTargets] = useState<PickedResource[]>(rule.targets);
  const [priority, setPriority] = useState(String(rule.priority));
  const [active, setActive] = useState(rule.active);

  return (
    <RecordFormPage
      formId="rule-form"
      title={isNew ? "New rule" : rule.name}
      isNew={isNew}
      back={{ content: "Rules", url: "/app/rules" }}
      noun="rule"
      deleteWarning="Recommendations stop following it at once."
    >
      <Layout>
        <Layout.Section>
          <Card>
            <FormLayout>
              <TextField
                label="Name"
                name="name"
                value={name}
                onChange={setName}
                error={errors.name}
                autoComplete="off"
              />
              <Select
                label="When the shopper views or has in the cart"
                name="triggerType"
                options={[
                  { label: "A product", value: "product" },
                  {
                    label: "A product from a collection",
                    value: "collection",
                  },
                  { label: "A product with a tag", value: "tag" },
                  { label: "Anything", value: "any" },
                ]}
                value={triggerType}
                onChange={(value) => {
                  setTriggerType(value);
                  setTriggerPicked([]);
                }}
                error={errors.triggerType}
              />
              {triggerType === "product" || triggerType === "collection" ? (
                <ResourcePickerField
                  label={
                    triggerType === "product"
                      ? "Trigger product"
                      : "Trigger collection"
                  }
                  name="triggerValue"
                  type={triggerType}
                  multiple={false}
                  value={triggerPicked}
                  onChange={setTriggerPicked}
                  error={errors.triggerValue}
                />
              ) : triggerType === "tag" ? (
                <TextField
                  label="Tag"
                  name="triggerValue"
                  value={tag}
                  onChange={setTag}
                  error={errors.triggerValue}
                  autoComplete="off"
                />
              ) : null}
              <Select
                label="Then"
                name="action"
                options={[
                  { label: "Always show these products first", value: "pin" },
                  { label: "Never show these products", value: "exclude" },
                ]}
                value={ruleAction}
                onChange={setRuleAction}
                error={errors.action}
              />
              <ResourcePickerField
                label="Products"
                name="targetProductIds"
                type="product"
                multiple
                value={targets}
                onChange={setTargets}
                error={errors.targetProductIds}
              />
              <TextField
                label="Priority"
                name="priority"
                value={priority}
                onChange={setPriority}
                error={errors.priority}
                helpText="Higher wins when rules conflict, and orders pinned products."
                autoComplete="off"
              />
              <Checkbox label="Active" checked={active} onChange={setActive} />
              <input type="hidden" name="active" value={String(active)} />
            </FormLayout>
          </Card>
        </Layout.Section>
      </Layout>
    </RecordFormPage>
  );
}
