import { Form, useNavigation, useSubmit } from "@remix-run/react";
import { Modal, Page, Text } from "@shopify/polaris";
import { type ReactNode, useState } from "react";

/**
 * The edit page of one stored record (a bundle, a rule): the whole page is one form, saved by the
 * page's primary action, with Delete behind a confirmation that says what deleting does.
 */
export function RecordFormPage({
  formId,
  title,
  isNew,
  back,
  noun,
  deleteWarning,
  children,
}: {
  formId: string;
  title: string;
  isNew: boolean;
  back: { content: string; url: string };
  /** "bundle", "rule": used in the delete confirmation. */
  noun: string;
  deleteWarning: string;
  children: ReactNode;
}) {
  const submit = useSubmit();
  const saving = useNavigation().state === "submitting";
  const [confirmDelete, setConfirmDelete] = useState(false);
  return (
    <Form method="post" id={formId}>
      <Page
        title={title}
        backAction={back}
        primaryAction={{
          content: "Save",
          loading: saving,
          onAction: () =>
            submit(document.getElementById(formId) as HTMLFormElement),
        }}
        secondaryActions={
          isNew
            ? []
            : [
                {
                  content: "Delete",
                  destructive: true,
                  onAction: () => setConfirmDelete(true),
                },
              ]
        }
      >
        {children}
        <Modal
          open={confirmDelete}
          onClose={() => setConfirmDelete(false)}
          title={`Delete this ${noun}?`}
          primaryAction={{
            content: `Delete ${noun}`,
            destructive: true,
            loading: saving,
            onAction: () => submit({ intent: "delete" }, { method: "post" }),
          }}
          secondaryActions={[
            { content: "Cancel", onAction: () => setConfirmDelete(false) },
          ]}
        >
          <Modal.Section>
            <Text as="p">{deleteWarning}</Text>
          </Modal.Section>
        </Modal>
      </Page>
    </Form>
  );
}
