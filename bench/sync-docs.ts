import { findDemarche } from "../domain/catalogue";
import { DEMO_COMMUNE } from "../domain/commune";
import { DEFAULT_CATALOGUE } from "../domain/default-catalogue";
import { newRequest } from "../domain/new-request";
import type { GuichetRequest } from "../domain/request";
import { makeTrackingNumber } from "../domain/tracking-number";

/** N requests of one démarche, as a counter records them: what bench:sync and bench:vdu write. */
export function benchRequests(N: number, commune: string, by: string, code: string): GuichetRequest[] {
  const d = findDemarche(DEFAULT_CATALOGUE, "aide_restauration_scolaire")!;
  const out: GuichetRequest[] = [];
  const t0 = Date.parse("2026-11-02T08:00:00Z");
  for (let i = 1; i <= N; i++) {
    const r = newRequest(
      {
        demarche: d.id,
        channel: (["guichet", "telephone", "courrier", "courriel"] as const)[i % 4],
        subject: `Demande de tarif réduit n°${i}`,
        fields: { enfant: `Enfant ${i}`, ecole: "École Jules-Ferry", quotientFamilial: 400 + (i % 900) },
        citizen: {
          firstName: "Camille",
          lastName: `Durand ${i}`,
          email: `famille${i}@example.fr`,
          phone: "06 12 34 56 78",
        },
        attachments: [],
      },
      {
        commune,
        tracking: makeTrackingNumber(code, i),
        demarche: d,
        policy: DEMO_COMMUNE.policy,
        by,
        workstation: code,
        now: new Date(t0 + i * 60_000).toISOString(),
      },
    );
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    out.push(r.request);
  }
  return out;
}
