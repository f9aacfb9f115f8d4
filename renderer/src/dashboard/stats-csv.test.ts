import { describe, expect, it } from "vitest";
import { parseCsv } from "../../../domain/csv";
import { DEFAULT_CATALOGUE } from "../../../domain/default-catalogue";
import { withEvents } from "../../../domain/history";
import { statisticsOf } from "../../../domain/statistics";
import { buildRequest, ev } from "../../../domain/test-fixtures";
import { namesFor } from "./labels";
import { statisticsCsv } from "./stats-csv";

describe("statisticsCsv", () => {
  it("writes the figures as section, item, value rows with the screen's labels and fr-FR numbers", () => {
    const answered = (at: string) =>
      withEvents(buildRequest("aide_restauration_scolaire"), [ev.status(at, "received", "answered")]);
    const reqs = [
      answered("2026-03-13T10:00:00Z"),
      answered("2026-03-14T10:00:00Z"),
      buildRequest("demande_generale"),
    ];
    const stats = statisticsOf(
      reqs,
      [{ at: "2026-03-02T09:00:00Z", channel: "telephone", reason: "horaires", by: "a" }],
      { from: "2026-03-01", to: "2026-03-31", today: "2026-03-31", riskDays: 15 },
    );
    const rows = parseCsv(statisticsCsv(stats, namesFor(DEFAULT_CATALOGUE)));
    const cell = (section: string, item: string) => rows.find((r) => r[0] === section && r[1] === item)?.[2];
    expect(rows[0]).toEqual(["Rubrique", "Élément", "Valeur"]);
    expect(cell("Période", "Du")).toBe("01/03/2026");
    expect(cell("Demandes reçues", "Total")).toBe("3");
    expect(cell("Demandes reçues par canal", "Guichet")).toBe("3");
    expect(cell("Demandes reçues par démarche", "Demande générale, question ou réclamation")).toBe("1");
    expect(cell("Délais de réponse", "Délai médian (jours)")).toBe("1,5");
    expect(cell("Délais de réponse", "Part envoyée au plus tard à cette date (%)")).toBe("100");
    expect(cell("Demandes en attente par agent", "Non attribuée")).toBe("1");
    expect(cell("Réponses immédiates par motif", "Horaires, accès, contacts")).toBe("1");
    expect(rows.find((r) => r[1]?.startsWith("Semaine du 09/03/2026 : saisies"))?.[2]).toBe("3");
  });
});
