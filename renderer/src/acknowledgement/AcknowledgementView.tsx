import type { Acknowledgement } from "../../../domain/acknowledgement";
import type { Commune } from "../../../domain/commune";

/**
 * The printable AR: the mairie's letterhead (and logo), the demo label when the commune is the
 * demo, the facts and the sentences. Everything is rendered as text nodes: a citizen's "<script>"
 * in the subject is printed as those characters, never run.
 */
export function AcknowledgementView({ ack, commune }: { ack: Acknowledgement; commune: Commune }) {
  const [name, ...rest] = ack.letterhead;
  return (
    <article className="ar" aria-labelledby="ar-title" data-testid="acknowledgement">
      {ack.demo && (
        <p className="ar-demo" data-testid="ar-demo">
          <strong>{ack.demo}</strong>
        </p>
      )}
      <header className="ar-head">
        {commune.logo && <img className="ar-logo" src={commune.logo} alt={`Logo — ${commune.name}`} />}
        <p className="ar-commune">{name}</p>
        {rest.map((line) => (
          <p key={line}>{line}</p>
        ))}
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
