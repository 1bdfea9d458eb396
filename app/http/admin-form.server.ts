/**
 * The form an admin action was posted. A body that is not a form (JSON, broken multipart, no body
 * at all) is the client's mistake: a 400 with a fixed message, never the 500 that
 * `request.formData()` throwing would become.
 */
export async function postedForm(request: Request): Promise<FormData> {
  try {
    return await request.formData();
  } catch {
    throw new Response("The request body is not a form", { status: 400 });
  }
}

/** The posted form's fields, each as its last value (repeated fields: read `postedForm`). */
export async function postedFields(
  request: Request,
): Promise<Record<string, FormDataEntryValue>> {
  return Object.fromEntries(await postedForm(request));
}
