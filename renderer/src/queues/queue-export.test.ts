import { describe, expect, it } from "vitest";
import { parseCsv } from "../../../domain/csv";
import { withEvents } from "../../../domain/history";
import { buildRequest, CATALOGUE, ev, SVA_DEMARCHE, WS_A } from "../../../domain/test-fixtures";
import { makeTrackingNumber } from "../../../domain/tracking-number";
import { EXPORT_HEADER, exportFileName, exportRow, queueCsv } from "./queue-export";

const tracking = (n: number) => makeTrackingNumber(WS_A, n);
const dashed = (id: string) => `${id.slice(0, 4)}-${id.slice(4)}`;

describe("queue export", () => {
  it("names the columns a supervisor asked for, in French", () => {
    expect(EXPORT_HEADER).toEqual([
      "Numéro de suivi",
      "Date de réception",
      "Canal",
      "Démarche",
      "Objet",
      "Usager",
      "Service",
      "Statut",
      "Agent",
      "Échéance (décision implicite)",
      "Décision implicite",
    ]);
  });

  it("writes an SVR request with its labels, its agent, its implicit-rejection date and outcome", () => {
    const r = withEvents(
      buildRequest("aide_restauration_scolaire", {
        content: { channel: "courriel", citizen: { firstName: "Léa", lastName: "Martin" } },
        ctx: { tracking: tracking(1) },
      }),
      [ev.assigned("2026-03-13T09:00:00.000Z", "scolaire", "agent.b")],
    );
    expect(exportRow(r, CATALOGUE)).toEqual([
      dashed(tracking(1)),
      "12/03/2026",
      "Courriel",
      "Restauration scolaire : tarif réduit ou aide",
      "Restauration scolaire : tarif réduit ou aide",
      "Martin Léa",
      "Service Enfance et scolaire",
      "Attribuée",
      "agent.b",
      "12/05/2026",
      "rejet",
    ]);
  });

  it("says acceptation for an SVA démarche", () => {
    const r = buildRequest(SVA_DEMARCHE.id, { ctx: { tracking: tracking(2) } });
    expect(exportRow(r, CATALOGUE).slice(-2)).toEqual(["12/05/2026", "acceptation"]);
  });

  it("leaves the deadline and outcome empty when the démarche has none, or once the request is closed", () => {
    const none = buildRequest("demande_generale", { ctx: { tracking: tracking(3) } });
    expect(exportRow(none, CATALOGUE).slice(-3)).toEqual(["", null, null]);
    const cancelled = withEvents(
      buildRequest("aide_restauration_scolaire", { ctx: { tracking: tracking(4) } }),
      [ev.status("2026-03-13T09:00:00.000Z", "received", "cancelled")],
    );
    expect(exportRow(cancelled, CATALOGUE).slice(-4)).toEqual(["Annulée", "", null, null]);
  });

  it("neutralises a formula typed as a name and keeps every row readable by parseCsv", () => {
    const evil = '=HYPERLINK("http://evil.example";"Cliquez")';
    const rows = [
      buildRequest("demande_generale", {
        content: { citizen: { firstName: "Jean", lastName: evil }, subject: "+33 1 23 45 67 89" },
        ctx: { tracking: tracking(5) },
      }),
      buildRequest("demande_generale", { ctx: { tracking: tracking(6) } }),
    ];
    const csv = queueCsv(rows, CATALOGUE);
    expect(csv.startsWith("\uFEFFNuméro de suivi;Date de réception;")).toBe(true);
    const [header, first, second] = parseCsv(csv);
    expect(header).toEqual(EXPORT_HEADER);
    expect(first?.[4]).toBe("'+33 1 23 45 67 89");
    expect(first?.[5]).toBe(`'${evil} Jean`);
    expect(second?.[0]).toBe(dashed(tracking(6)));
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"";""Cliquez"") Jean"`);
  });

  it("names the file after the queue and the day", () => {
    expect(exportFileName("open", "2026-03-12")).toBe("demandes-ouvertes-2026-03-12.csv");
    expect(exportFileName("service", "2026-03-12")).toBe("demandes-mon-service-2026-03-12.csv");
    expect(exportFileName("triage", "2026-03-12")).toBe("demandes-a-trier-2026-03-12.csv");
    expect(exportFileName("deadline", "2026-03-12")).toBe("demandes-echeance-proche-2026-03-12.csv");
  });
});
