import { describe, expect, it } from "vitest";
import { DEMO_COMMUNE } from "../../domain/commune";
import { buildRequest, CATALOGUE, COMMUNE } from "../../domain/test-fixtures";
import { HttpError } from "../http/errors";
import { attestationPdf } from "./attestation-pdf";

const request = buildRequest("autorisation_buvette");

describe("attestation of implicit acceptance (L232-3)", () => {
  it("is refused with a French message while the commune's identity is incomplete", () => {
    const { tribunalAddress: _t, town: _v, ...partial } = COMMUNE;
    let refusal: unknown;
    try {
      void attestationPdf(request, CATALOGUE, partial, "2026-06-01");
    } catch (e) {
      refusal = e;
    }
    expect(refusal).toBeInstanceOf(HttpError);
    expect((refusal as HttpError).status).toBe(409);
    expect((refusal as HttpError).message).toBe(
      "Identité de la commune incomplète (ville, adresse du tribunal administratif) : aucun document officiel ne peut être établi tant qu'un administrateur de la commune la complète dans l'application du guichet, écran « Administration › Commune » (#/admin/commune).",
    );
  });

  it("is a PDF for a complete identity, and for the demo commune (which it labels)", async () => {
    for (const commune of [COMMUNE, DEMO_COMMUNE]) {
      const pdf = await attestationPdf(request, CATALOGUE, commune, "2026-06-01");
      expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    }
  });
});
