import { describe, expect, it } from "vitest";
import { findDemarche } from "../../domain/catalogue";
import { DEMO_COMMUNE } from "../../domain/commune";
import { DEFAULT_CATALOGUE } from "../../domain/default-catalogue";
import { newRequest } from "../../domain/new-request";
import type { GuichetRequest } from "../../domain/request";
import { makeTrackingNumber } from "../../domain/tracking-number";
import type { CouchDb } from "../couch/couch-db";
import type { MailKind, Outbox } from "../mail/outbox";
import { ackMailer } from "./ack-mailer";

const today = new Date().toISOString().slice(0, 10);

function onlineRequest(seq: number): GuichetRequest {
  const d = findDemarche(DEFAULT_CATALOGUE, "aide_restauration_scolaire");
  if (!d) throw new Error("démarche absente");
  const built = newRequest(
    {
      demarche: d.id,
      channel: "en_ligne",
      subject: d.label,
      fields: { enfant: "Léa Martin", ecole: "École Jules-Ferry" },
      citizen: { firstName: "Camille", lastName: "Martin", email: `camille+${seq}@example.org` },
      attachments: [],
    },
    {
      commune: "demo",
      tracking: makeTrackingNumber("P4C", seq),
      demarche: d,
      policy: DEMO_COMMUNE.policy,
      by: "portal",
      workstation: "P4C",
      now: new Date().toISOString(),
    },
  );
  if (!built.ok) throw new Error(JSON.stringify(built.issues));
  return built.request;
}

/** An outbox whose deliveries wait until released: how many the job has in flight shows. */
function heldOutbox() {
  let inFlight = 0;
  let most = 0;
  const kinds: MailKind[][] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const outbox = {
    async deliver(_db: string, _id: string, k: readonly MailKind[]) {
      inFlight += 1;
      most = Math.max(most, inFlight);
      kinds.push([...k]);
      await gate;
      inFlight -= 1;
      return k.map(() => "recorded" as const);
    },
  } as unknown as Outbox;
  return { outbox, release, most: () => most, inFlight: () => inFlight, kinds };
}

const noFeed = (): CouchDb => {
  throw new Error("no database is followed in this test");
};

function mailer(outbox: Outbox, busy: () => boolean, now?: () => number) {
  return ackMailer({
    ...(now ? { now } : {}),
    databases: [],
    db: noFeed,
    outbox: () => outbox,
    catalogue: () => DEFAULT_CATALOGUE,
    today: () => today,
    instanceId: "test",
    maxAgeDays: 30,
    busy,
    onError: (e: unknown) => {
      throw e;
    },
  });
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe("the accusés job's pace", () => {
  it("examines up to 256 requests at once while the portal is quiet (a pass mostly waits)", async () => {
    const held = heldOutbox();
    const job = mailer(held.outbox, () => false);
    const done = Array.from({ length: 300 }, (_, i) => job.process("guichet-demo", onlineRequest(i + 1)));
    await tick();
    expect(held.most()).toBe(256);
    expect(held.kinds[0]).toEqual(["registration", "ar"]);
    held.release();
    await Promise.all(done);
    expect(held.kinds).toHaveLength(300);
    await job.stop();
  });

  it("takes 32 at a time while citizens wait on the portal, and the rest at full pace once they are served", async () => {
    const held = heldOutbox();
    let busy = true;
    // The clock stands still: only the end of the burst lets the rest go.
    const job = mailer(
      held.outbox,
      () => busy,
      () => 0,
    );
    const done = Array.from({ length: 300 }, (_, i) => job.process("guichet-demo", onlineRequest(i + 1)));
    await tick();
    expect(held.most()).toBe(32);
    busy = false;
    await tick(120);
    expect(held.inFlight()).toBe(256);
    held.release();
    await Promise.all(done);
    expect(held.kinds).toHaveLength(300);
    await job.stop();
  });

  it("stops holding the accusés back once the oldest has waited half a second, however long the portal stays busy", async () => {
    const held = heldOutbox();
    let clock = 0;
    const job = mailer(
      held.outbox,
      () => true,
      () => clock,
    );
    const done = Array.from({ length: 300 }, (_, i) => job.process("guichet-demo", onlineRequest(i + 1)));
    await tick(120);
    expect(held.inFlight()).toBe(32);
    clock = 499;
    await tick(120);
    expect(held.inFlight()).toBe(32);
    clock = 500;
    await tick(120);
    expect(held.inFlight()).toBe(256);
    held.release();
    await Promise.all(done);
    await job.stop();
  });
});
