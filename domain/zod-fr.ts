import { z } from "zod";

/** Users read these messages: French everywhere, and a plain "obligatoire" for a missing value. */
z.config(z.locales.fr());
z.config({
  customError: (issue) =>
    issue.code === "invalid_type" && issue.input === undefined ? "Ce champ est obligatoire." : undefined,
});

export type FieldIssue = { field: string; message: string };

/** Flattens zod issues to what forms and API error bodies show: a dotted field path and a French message. */
export function fieldIssues(error: z.ZodError, prefix = ""): FieldIssue[] {
  return error.issues.map((i) => ({
    field: [prefix, ...i.path.map(String)].filter(Boolean).join("."),
    message: i.message,
  }));
}
