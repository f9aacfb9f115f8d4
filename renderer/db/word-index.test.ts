import { IDBKeyRange, indexedDB } from "fake-indexeddb";
import type { RxStorage } from "rxdb";
import { getRxStorageDexie } from "rxdb/plugins/storage-dexie";
import { describe, expect, it } from "vitest";
import { withEvents } from "../../domain/history";
import type { GuichetRequest } from "../../domain/request";
import { buildRequest, WS_A } from "../../domain/test-fixtures";
import { makeTrackingNumber } from "../../domain/tracking-number";
import { createGuichetDatabase } from "./database";
import { type LocalCollections, localCollections } from "./local-collections";
import { localDataPerTest } from "./local-data.test-support";
import { openLocalData } from "./local-database";
import { requestsRepo } from "./requests-repo";
import { findByName, findByWords } from "./search";
import { WordIndex, wordEntries } from "./word-index";

const data = localDataPerTest();

function person(seq: number, lastName: string, firstName: string, subject = "Demande de rendez-vous") {
  return buildRequest("demande_generale", {
    content: { subject, citizen: { firstName, lastName } },
    ctx: { tracking: makeTrackingNumber(WS_A, seq) },
  });
}

const names = (rs: GuichetRequest[]) => rs.map((r) => `${r.citizen.lastName} ${r.citizen.firstName}`);

describe("word index", () => {
  it("finds a name by any of its words, accents and case ignored", async () => {
    const d = await data();
    await d.repo.bulkInsert([
      person(1, "Lefèvre-Müller", "Éloïse"),
      person(2, "Ngô", "Thị Hương"),
      person(3, "Martin", "Léa"),
    ]);
    expect(names(await findByName(d, "muller"))).toEqual(["Lefèvre-Müller Éloïse"]);
    expect(names(await findByName(d, "eloise"))).toEqual(["Lefèvre-Müller Éloïse"]);
    expect(names(await findByName(d, "HUONG"))).toEqual(["Ngô Thị Hương"]);
    expect(names(await findByName(d, "thi"))).toEqual(["Ngô Thị Hương"]);
    expect(names(await findByName(d, "Éloïse MÜLL"))).toEqual(["Lefèvre-Müller Éloïse"]);
    expect(await findByName(d, "eloise martin")).toEqual([]);
    // Words of the subject are not words of the name.
    expect(await findByName(d, "rendez")).toEqual([]);
  });

  it("finds a rare combination of common words beyond the first page of the leading word", async () => {
    const d = await data();
    const docs = Array.from({ length: 450 }, (_, i) =>
      person(
        i + 1,
        "Martin",
        i % 100 === 98 ? "Zoé" : "Léa",
        i % 2 ? "Inscription cantine" : "Inscription école",
      ),
    );
    await d.repo.bulkInsert(docs);
    expect(names(await findByName(d, "martin zoe"))).toEqual(Array(4).fill("Martin Zoé"));
    expect(await findByName(d, "zoe martin", 2)).toHaveLength(2);
    expect(await findByWords(d, "inscription cantine")).toHaveLength(50);
    expect((await findByWords(d, "ecole inscription", 500)).length).toBe(225);
  });

  it("finds words of the subject and of the place, not of the name", async () => {
    const d = await data();
    const lamp = person(1, "Bernard", "Paul", "Éclairage défectueux rue Pasteur");
    await d.repo.bulkInsert([lamp, person(2, "Pasteur", "Louis")]);
    expect((await findByWords(d, "eclairage pasteur")).map((r) => r.id)).toEqual([lamp.id]);
    expect((await findByWords(d, "DEFECT")).map((r) => r.id)).toEqual([lamp.id]);
    expect(
      wordEntries({
        nameKey: "ngo thi huong",
        subject: "Acte n° 12",
        location: { address: "8 rue" },
        citizen: { firstName: "Thị Hương", lastName: "Ngô", phone: "+33 6 12 34 56 78" },
        anonymised: false,
      }),
    ).toEqual(["n:huong", "n:ngo", "n:thi", "p:0612345678", "t:12", "t:acte", "t:rue"]);
  });

  it("forgets the old name when a request is corrected, and a removed request", async () => {
    const d = await data();
    const r = person(1, "Dupont", "Jean");
    await d.repo.bulkInsert([r, person(2, "Durand", "Marc")]);
    expect(names(await findByName(d, "dupont"))).toEqual(["Dupont Jean"]);
    await d.repo.replace(withEvents({ ...r, citizen: { ...r.citizen, lastName: "Dupuis" } }, []));
    expect(await findByName(d, "dupont")).toEqual([]);
    expect(names(await findByName(d, "dupuis"))).toEqual(["Dupuis Jean"]);
    await (await d.db.requests.findOne(r.id).exec())!.remove();
    expect(await findByName(d, "dupuis")).toEqual([]);
    expect(names(await findByName(d, "du"))).toEqual(["Durand Marc"]);
  });

  it("indexes a replica written by a version of the app that had no word index", async () => {
    const storage = getRxStorageDexie({ indexedDB, IDBKeyRange }) as RxStorage<unknown, unknown>;
    const name = `old${Date.now().toString(36)}`;
    const old = await createGuichetDatabase({ name, storage });
    await old.requests.bulkInsert([person(1, "Lefèvre-Müller", "Éloïse"), person(2, "Ngô", "Thị Hương")]);
    await old.close();

    const d = await openLocalData(name, storage);
    try {
      // The replica opens as before; the index is built from it, then search uses it.
      expect(await d.words.upToDate()).toBe(true);
      expect(await d.local.search_words.count().exec()).toBeGreaterThan(4);
      expect(names(await findByName(d, "huong"))).toEqual(["Ngô Thị Hương"]);
      expect(names(await findByName(d, "muller"))).toEqual(["Lefèvre-Müller Éloïse"]);
      expect(await d.repo.get(makeTrackingNumber(WS_A, 1))).not.toBeNull();
    } finally {
      await d.db.remove();
    }
  });

  it("searches without the index while a first build over a large replica runs, then with it", async () => {
    const storage = getRxStorageDexie({ indexedDB, IDBKeyRange }) as RxStorage<unknown, unknown>;
    const name = `big${Date.now().toString(36)}`;
    const old = await createGuichetDatabase({ name, storage });
    await old.requests.bulkInsert([person(1, "Lefèvre-Müller", "Éloïse"), person(2, "Martin", "Léa")]);
    await old.close();
    // The app's data, but with an index that counts any replica as large (no other index running).
    const db = await createGuichetDatabase({ name, storage });
    const local = (await db.addCollections(localCollections)) as unknown as LocalCollections;
    const slow = new WordIndex(db.requests, local.search_words, 1);
    const data = { db, repo: requestsRepo(db), local, words: slow };
    try {
      expect(await slow.upToDate()).toBe(false);
      // Meanwhile: the name's start (the nameKey index) still finds, a middle word does not yet.
      expect(names(await findByName(data, "lefevre"))).toEqual(["Lefèvre-Müller Éloïse"]);
      expect(await findByName(data, "muller")).toEqual([]);
      await slow.catchUp();
      expect(await slow.upToDate()).toBe(true);
      expect(names(await findByName(data, "muller"))).toEqual(["Lefèvre-Müller Éloïse"]);
      slow.stop();
    } finally {
      await db.remove();
    }
  });

  it("picks up from its checkpoint after a restart instead of reading everything again", async () => {
    const storage = getRxStorageDexie({ indexedDB, IDBKeyRange }) as RxStorage<unknown, unknown>;
    const name = `ck${Date.now().toString(36)}`;
    const first = await openLocalData(name, storage);
    await first.repo.bulkInsert([person(1, "Roux", "Anne")]);
    await first.words.catchUp();
    await first.db.close();

    const again = await openLocalData(name, storage);
    try {
      await again.repo.bulkInsert([person(2, "Rousseau", "Marc")]);
      expect(names(await findByName(again, "rou"))).toEqual(["Rousseau Marc", "Roux Anne"]);
      const checkpoint = await again.local.search_words.findOne("c:1").exec();
      expect(checkpoint?.w).toBe(makeTrackingNumber(WS_A, 2));
    } finally {
      await again.db.remove();
    }
  });
});
