import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { data } from "@remix-run/node";
import {
  Form,
  useActionData,
  useLoaderData,
  useNavigation,
  useSubmit,
} from "@remix-run/react";
import {
  BlockStack,
  Button,
  Card,
  Checkbox,
  FormLayout,
  InlineError,
  InlineGrid,
  Layout,
  Page,
  RadioButton,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useState } from "react";
import { authenticate } from "~/shopify.server";
import {
  EXPERIMENT_PLACEMENTS,
  MAX_ARMS,
  MAX_OFFER_COUNT,
  createExperiment,
  parseExperimentForm,
} from "~/services/experiments/experiments.server";
import { STRATEGIES } from "~/engine/strategies";
import { strategyName } from "~/components/strategy-names";
import {
  PLACEMENT_LABELS,
  UNIT_WORDS,
  metricOptions,
} from "~/components/experiment-format";
import { experimentUnit } from "~/engine/types";
import { postedForm } from "~/http/admin-form.server";

export { ErrorBoundary, headers } from "~/http/admin-boundary";

// The form's choices come from the server modules that validate them, through the loader:
// a component may not import a .server module.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.admin(request);
  return {
    placements: [...EXPERIMENT_PLACEMENTS],
    strategies: [...STRATEGIES],
    maxArms: MAX_ARMS,
    maxOfferCount: MAX_OFFER_COUNT,
  };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, redirect } = await authenticate.admin(request);
  const formData = await postedForm(request);
  const placements = formData.getAll("placement").map(String);
  const parsed = parseExperimentForm(Object.fromEntries(formData), placements);
  if (!parsed.ok) return data({ errors: parsed.errors }, { status: 422 });
  const experiment = await createExperiment(session.shop, parsed.values);
  return redirect(`/app/experiments/${experiment.id}`);
};

interface ArmRow {
  name: string;
  weight: string;
  strategy: string;
  offerCount: string;
}

const INITIAL_ARMS: ArmRow[] = [
  { name: "Hold-out (no widget)", weight: "20", strategy: "", offerCount: "" },
  { name: "Cartlift", weight: "80", strategy: "", offerCount: "" },
];

export default function NewExperiment() {
  const {
    placements: placementChoices,
    strategies,
    maxArms,
    maxOfferCount,
  } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors: Record<string, string> = result?.errors ?? {};
  const navigation = useNavigation();
  const submit = useSubmit();
  const [name, setName] = useState("");
  const [metric, setMetric] = useState("rpv");
  const [placements, setPlacements] = useState<string[]>(["cart", "drawer"]);
  const [arms, setArms] = useState<ArmRow[]>(INITIAL_ARMS);
  const [holdout, setHoldout] = useState("0");
  const setArm = (i: number, patch: Partial<ArmRow>) =>
    setArms((rows) => rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const total = arms.reduce((s, a) => s + (Number(a.weight) || 0), 0);
  // Revenue per visitor, or per checkout once the post-purchase placement is chosen.
  const unit = UNIT_WORDS[experimentUnit(placements)];

  return (
    <Form method="post" id="experiment-form">
      <Page
        title="New experiment"
        backAction={{ content: "Experiments", url: "/app/experiments" }}
        primaryAction={{
          content: "Create experiment",
          loading: navigation.state === "submitting",
          onAction: () =>
            submit(
              document.getElementById("experiment-form") as HTMLFormElement,
            ),
        }}
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
                  label="Primary metric (fixed before the start)"
                  name="primaryMetric"
                  options={metricOptions(placements)}
                  value={metric}
                  onChange={setMetric}
                  error={errors.primaryMetric}
                  helpText="The verdict is decided on this metric only; the others are shown for context."
                />
                <BlockStack gap="100">
                  <Text as="p" variant="bodyMd">
                    Placements
                  </Text>
                  {placementChoices.map((placement) => (
                    <Checkbox
                      key={placement}
                      label={PLACEMENT_LABELS[placement]}
                      name="placement"
                      value={placement}
                      checked={placements.includes(placement)}
                      onChange={(checked) =>
                        setPlacements((list) =>
                          checked
                            ? [...list, placement]
                            : list.filter((p) => p !== placement),
                        )
                      }
                    />
                  ))}
                  {errors.placements ? (
                    <InlineError
                      message={errors.placements}
                      fieldID="placements"
                    />
                  ) : null}
                </BlockStack>
              </FormLayout>
            </Card>
          </Layout.Section>
          <Layout.Section>
            <Card>
              <BlockStack gap="400">
                <Text as="h2" variant="headingMd">
                  Arms and traffic split
                </Text>
                <Text as="p" tone="subdued">
                  Each {unit.one} is assigned one arm for the whole experiment.
                  The hold-out sees no Cartlift widget at all, so lift is
                  measured against doing nothing. Shares must add up to 100%
                  (now {`${total}%`}).
                </Text>
                {errors.arms ? (
                  <InlineError message={errors.arms} fieldID="arms" />
                ) : null}
                {arms.map((arm, i) => (
                  <BlockStack gap="200" key={i}>
                    {/* Two columns on a phone: four would clip the shares to one digit. */}
                    <InlineGrid columns={{ xs: 2, md: 4 }} gap="300">
                      <TextField
                        label={`Arm ${i + 1} name`}
                        name={`arms.${i}.name`}
                        value={arm.name}
                        onChange={(v) => setArm(i, { name: v })}
                        error={errors[`arms.${i}.name`]}
                        autoComplete="off"
                      />
                      <TextField
                        label={`Arm ${i + 1} traffic share`}
                        name={`arms.${i}.weight`}
                        type="number"
                        suffix="%"
                        value={arm.weight}
                        onChange={(v) => setArm(i, { weight: v })}
                        error={errors[`arms.${i}.weight`]}
                        autoComplete="off"
                      />
                      <Select
                        label={`Arm ${i + 1} strategy`}
                        name={`arms.${i}.strategy`}
                        disabled={holdout === String(i)}
                        options={[
                          { label: "Placement setting", value: "" },
                          ...strategies.map((s) => ({
                            label: strategyName(s),
                            value: s,
                          })),
                        ]}
                        value={arm.strategy}
                        onChange={(v) => setArm(i, { strategy: v })}
                        error={errors[`arms.${i}.strategy`]}
                      />
                      <Select
                        label={`Arm ${i + 1} offers shown`}
                        name={`arms.${i}.offerCount`}
                        disabled={holdout === String(i)}
                        options={[
                          { label: "Placement setting", value: "" },
                          ...Array.from({ length: maxOfferCount }, (_, n) => ({
                            label: String(n + 1),
                            value: String(n + 1),
                          })),
                        ]}
                        value={arm.offerCount}
                        onChange={(v) => setArm(i, { offerCount: v })}
                        error={errors[`arms.${i}.offerCount`]}
                      />
                    </InlineGrid>
                    <RadioButton
                      label={`Arm ${i + 1} is the hold-out (no widget)`}
                      name="holdout"
                      id={`holdout-${i}`}
                      value={String(i)}
                      checked={holdout === String(i)}
                      onChange={() => setHoldout(String(i))}
                    />
                  </BlockStack>
                ))}
                <InlineGrid columns={3} gap="300">
                  {arms.length < maxArms ? (
                    <Button
                      onClick={() =>
                        setArms((rows) => [
                          ...rows,
                          {
                            name: `Variant ${rows.length}`,
                            weight: "0",
                            strategy: "",
                            offerCount: "",
                          },
                        ])
                      }
                    >
                      Add an arm
                    </Button>
                  ) : null}
                  <RadioButton
                    label="No hold-out (compare against arm 1)"
                    name="holdout"
                    id="holdout-none"
                    value="none"
                    checked={holdout === "none"}
                    onChange={() => setHoldout("none")}
                  />
                </InlineGrid>
              </BlockStack>
            </Card>
          </Layout.Section>
        </Layout>
      </Page>
    </Form>
  );
}
