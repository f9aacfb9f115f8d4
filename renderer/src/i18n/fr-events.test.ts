import { describe, expect, it } from "vitest";
import { fr } from "./fr";

describe("history wording", () => {
  it("names a service once, whether or not its name starts with « Service »", () => {
    expect(fr.events.created("Service Enfance et scolaire")).toBe(
      "Demande enregistrée, adressée au Service Enfance et scolaire",
    );
    expect(fr.events.assigned("Accueil de la mairie", "claire")).toBe(
      "Attribuée au service Accueil de la mairie, à claire",
    );
  });

  it("shows the server's own accounts as words a person reads", () => {
    expect(fr.events.by("guichet-demo-portal", "W3B")).toBe("Portail en ligne");
    expect(fr.events.by("guichet-demo-server", "W3S")).toBe("Serveur");
    expect(fr.events.by("guichet-demo-server", "W3M")).toBe("Serveur (boîte de la mairie)");
    expect(fr.events.by("claire.dupont", "K7M")).toBe("par claire.dupont, poste K7M");
  });
});
