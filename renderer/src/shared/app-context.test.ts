import { describe, expect, it } from "vitest";
import { fr } from "../i18n/fr";
import { requireSigner, signerOf, type Workstation } from "./app-context";

const ws = (workstationCode: string | undefined) =>
  ({ workstationCode, session: { username: "agent.dupont" } }) as unknown as Workstation;

describe("who signs a workstation's events", () => {
  it("is the agent on this workstation's own code", () => {
    expect(signerOf(ws("K7M"))).toEqual({ username: "agent.dupont", workstation: "K7M" });
    expect(requireSigner(ws("K7M")).workstation).toBe("K7M");
  });

  it("is nobody until the workstation has a code, and says so in French rather than borrow one", () => {
    expect(signerOf(ws(undefined))).toBeNull();
    expect(() => requireSigner(ws(undefined))).toThrow(fr.newRequest.noWorkstationCode);
  });
});
