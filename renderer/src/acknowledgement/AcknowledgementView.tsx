import type { Acknowledgement } from "../../../domain/acknowledgement";
import type { Commune } from "../../../domain/commune";

/**
 * The printable AR. Everything is rendered as text nodes: a citizen's "<script>" in the subject is
 * printed as those characters, never run.
 */
export function AcknowledgementView({ ack, commune }: { ack: Acknowledgement; commune: Commune }) {
  return (
    <article className="ar" aria-labelledby="ar-title" data-testid="acknowledgement">
      <header className="ar-head">
        <p className="ar-commune">{commune.name}</p>
        <p>{commune.address}</p>
        <p>
          {commune.phone} — {commune.email}
        </p>
      </header>
      <h2 id="ar-title">{ack.title}</h2>
      <dl className="ar-lines">
        {ack.lines.map((l) => (
          <div key={l.label}>
            <dt>{l.label}</dt>
            <dd>{l.value}</dd>
          </div>
        ))}
      </dl>
      {ack.paragraphs.map((p) => (
        <p key={p}>{p}</p>
      ))}
    </article>
  );
}
