import type { FieldIssue } from "../../../domain/zod-fr";
import { fr } from "../i18n/fr";
import { fieldId } from "../shared/field-id";

/** After a refused save: every problem, each a link to its field (focus goes here first). */
export function ErrorSummary({ issues }: { issues: FieldIssue[] }) {
  if (issues.length === 0) return null;
  return (
    <section id="error-summary" className="error-summary" tabIndex={-1} aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">{fr.newRequest.errorsTitle(issues.length)}</h2>
      <ul>
        {issues.map((i) => (
          <li key={`${i.field}:${i.message}`}>
            {labelOf(i.field) && `${labelOf(i.field)} : `}
            {i.field && document.getElementById(fieldId(i.field)) ? (
              <a
                href={`#${fieldId(i.field)}`}
                onClick={(e) => {
                  e.preventDefault();
                  document.getElementById(fieldId(i.field))?.focus();
                }}
              >
                {i.message}
              </a>
            ) : (
              i.message
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The visible label of the field an issue names, for the summary (the message alone says "obligatoire"). */
function labelOf(path: string): string {
  if (!path) return "";
  const label = document.querySelector(`label[for="${fieldId(path)}"]`);
  return (label?.firstChild?.textContent ?? "").trim();
}
