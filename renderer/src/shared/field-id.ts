/** Element id of the input a validation issue belongs to (issues name dotted paths). */
export function fieldId(path: string): string {
  return `f-${path.replace(/[^a-zA-Z0-9_-]/g, "-")}`;
}
