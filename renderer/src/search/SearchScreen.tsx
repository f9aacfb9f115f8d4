import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useLayoutEffect, useState } from "react";
import type { GuichetRequest } from "../../../domain/request";
import { STATUS_LABELS } from "../../../domain/workflow";
import { findByName, findByTracking, findByWords, looksLikeTracking } from "../../db/search";
import { fr } from "../i18n/fr";
import { useWorkstation } from "../shared/app-context";
import { displayTracking, formatDay } from "../shared/format";
import { href, navigate } from "../shared/routes";
import { ScreenTitle } from "../shared/ScreenTitle";
import { searchTypedAhead } from "../shared/typed-ahead";
import { useDebounced } from "../shared/use-debounced";

const S = fr.search;

/** One box: a tracking number (checked, never guessed), a name (accents ignored), or words. */
export function SearchScreen({ initial }: { initial: string }) {
  const { data } = useWorkstation();
  // With the keys typed after "/" while this screen was drawn; catching stops as the box takes
  // the focus (render and layout effect run in one task: no key can fall between them).
  const [text, setText] = useState(() => initial + searchTypedAhead.peek());
  const q = useDebounced(text.trim(), 200);
  const tracking = looksLikeTracking(q);

  useLayoutEffect(() => {
    document.getElementById("search-input")?.focus();
    searchTypedAhead.take();
  }, []);

  const byTracking = useQuery({
    queryKey: ["requests", "search", "tracking", q],
    queryFn: () => findByTracking(data, q),
    enabled: tracking,
  });
  const byName = useQuery({
    queryKey: ["requests", "search", "name", q],
    queryFn: () => findByName(data, q),
    enabled: !tracking && q.length >= 2,
  });
  const byWords = useQuery({
    queryKey: ["requests", "search", "words", q],
    queryFn: () => findByWords(data, q),
    enabled: !tracking && q.length >= 2,
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    // Enter on an exact number opens it directly.
    const t = byTracking.data;
    if (tracking && t?.ok && t.request) navigate({ name: "request", id: t.request.id });
  }

  const t = byTracking.data;
  const words = (byWords.data ?? []).filter((r) => !byName.data?.some((n) => n.id === r.id));
  return (
    <>
      <ScreenTitle focus={false}>{S.title}</ScreenTitle>
      <search>
        <form onSubmit={submit} className="search-form">
          <label htmlFor="search-input">{S.label}</label>
          <input
            id="search-input"
            type="search"
            autoComplete="off"
            value={text}
            onChange={(e) => setText(e.target.value)}
            aria-describedby="search-help"
          />
          <p id="search-help" className="help">
            {S.help}
          </p>
        </form>
      </search>
      <div aria-live="polite" data-testid="search-results">
        {tracking && t && !t.ok && (
          <p className="error" role="alert" data-testid="tracking-error">
            {t.error}
          </p>
        )}
        {tracking && t?.ok && !t.request && (
          <p data-testid="tracking-unknown">{S.trackingUnknown(displayTracking(t.compact))}</p>
        )}
        {tracking && t?.ok && t.request && (
          <ResultList title={S.trackingFound} results={[t.request]} testId="tracking-result" />
        )}
        {!tracking && q.length > 0 && q.length < 2 && <p>{S.tooShort}</p>}
        {!tracking && byName.data && byName.data.length > 0 && (
          <ResultList title={S.byName} results={byName.data} testId="name-results" />
        )}
        {!tracking && words.length > 0 && (
          <ResultList title={S.byWords} results={words} testId="word-results" />
        )}
        {!tracking &&
          byName.isFetched &&
          byWords.isFetched &&
          q.length >= 2 &&
          !byName.data?.length &&
          !words.length && <p>{S.none}</p>}
      </div>
    </>
  );
}

function ResultList({
  title,
  results,
  testId,
}: {
  title: string;
  results: GuichetRequest[];
  testId: string;
}) {
  const { catalogue } = useWorkstation();
  return (
    <section aria-label={title}>
      <h2>{title}</h2>
      <ul className="results" data-testid={testId}>
        {results.map((r) => (
          <li key={r.id}>
            <a href={href({ name: "request", id: r.id })} className="tracking">
              {displayTracking(r.id)}
            </a>{" "}
            — {r.citizen.lastName} {r.citizen.firstName} —{" "}
            {catalogue.demarches.find((d) => d.id === r.demarche)?.label ?? r.demarche} — {r.subject} —{" "}
            {STATUS_LABELS[r.status]}, {formatDay(r.receivedOn)}
            {!r.anonymised && (
              <>
                {" "}
                — <a href={href({ name: "citizen", id: r.id })}>{S.citizenLink}</a>
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
