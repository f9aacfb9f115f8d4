import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GuichetRequest } from "../../domain/request";
import { adminClient, type Couch } from "../../sync-server/couch/couch";
import { couchServer } from "../../sync-server/couch/couch-db";
import { type GuichetServer, startGuichetServer } from "../../sync-server/server";
import { reserveBlock } from "../../sync-server/services/counter";
import { shareAdminHash, startHaproxy } from "../support/haproxy";
import { type ClusterNode, clusterNode, clusterSettings } from "../support/killable-couch";
import { nanoAdmin } from "../support/nano-admin";
import { startTestCouch, type TestCouch } from "./support/test-couch";
import { waitFor } from "./support/wait";
import { openWorkstation, type Workstation } from "./support/workstation";

/**
 * A 3-node Apache CouchDB cluster loses a node to kill -9 while two counter workstations sync and
 * citizens submit on the portal, then the node comes back. Every acknowledged request must be
 * there once, the workstations' requests too, and the three nodes must converge. First with the
 * clients on node 1 (node 3 is killed), then with every client behind HAProxy (node 2 killed).
 * Runs only when given a cluster: GUICHET_TEST_CLUSTER_DIR (the data directory of
 * ../shared/couchdb/cluster) and COUCHDB_URL (node 1), as `.ci/run` sets them.
 */
const clusterDir = process.env.GUICHET_TEST_CLUSTER_DIR?.trim();
const couchUrl = process.env.COUCHDB_URL?.trim();
const given = Boolean(clusterDir && couchUrl);
if (!given)
  console.log(
    "[panne de nœud] pas de grappe (GUICHET_TEST_CLUSTER_DIR et COUCHDB_URL non fournis) : test NON exécuté",
  );

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const DEMARCHE = "aide_restauration_scolaire";

type Ack = { tracking: string; nonce: string };

describe(
  given
    ? "cluster node failure (kill -9 of one CouchDB node)"
    : "cluster node failure (pas de grappe : ignoré)",
  () => {
    let tc: TestCouch;
    let nodes: ClusterNode[] = [];
    beforeAll(async () => {
      if (!given) return;
      tc = await startTestCouch();
      const n = Number(clusterSettings(clusterDir as string).n);
      nodes = Array.from({ length: n }, (_, i) =>
        clusterNode(clusterDir as string, i + 1, tc.adminUser, tc.adminPassword),
      );
    });
    afterAll(async () => {
      for (const node of nodes) if (!node.running()) await node.start();
      await tc?.stop();
    });

    /** The same connection as the test's, but the clients go to `url` (node 1 or HAProxy). */
    const couchAt = (url: string): Couch => ({
      ...tc.couch,
      url,
      admin: adminClient(url, tc.adminUser, tc.adminPassword),
    });

    it.skipIf(!given)(
      "keeps every acknowledged request once and converges when a node the clients do not use dies",
      async () => {
        const victim = nodes[nodes.length - 1] as ClusterNode;
        await scenario(couchAt(nodes[0]?.url as string), victim, "n1");
      },
      240_000,
    );

    it.skipIf(!given)(
      "does the same with every client behind HAProxy, killing a node behind it",
      async () => {
        await shareAdminHash(
          nodes.map((n) => n.url),
          tc.adminUser,
          tc.adminPassword,
        );
        const proxy = await startHaproxy(nodes.map((n) => n.url));
        try {
          await scenario(couchAt(proxy.url), nodes[1] as ClusterNode, "lb");
        } finally {
          await proxy.stop();
        }
      },
      240_000,
    );

    it.skipIf(!given)(
      "never hands out one tracking-number block twice while a node is down",
      async () => {
        const victim = nodes[nodes.length - 1] as ClusterNode;
        const db = `guichet-it-counter-${randomBytes(4).toString("hex")}`;
        await tc.admin.db.create(db);
        const auth = { username: tc.adminUser, password: tc.adminPassword };
        // Two server processes on two nodes, racing for blocks of 5.
        const on = [0, 1].map((k) => couchServer(nodes[k]?.url as string, auth).db(db));
        await victim.kill9();
        try {
          const starts = await Promise.all(
            Array.from({ length: 40 }, (_, i) =>
              reserveBlock(on[i % 2] as (typeof on)[0], "counter:test", 5),
            ),
          );
          const sorted = [...starts].sort((a, b) => a - b);
          for (let i = 1; i < sorted.length; i++)
            expect(sorted[i], `blocs ${sorted.join(",")}`).toBeGreaterThanOrEqual(
              (sorted[i - 1] as number) + 5,
            );
        } finally {
          await victim.start();
          await tc.admin.db.destroy(db);
        }
      },
      120_000,
    );

    async function scenario(couch: Couch, victim: ClusterNode, tag: string): Promise<void> {
      const sa = tc.bootstrapped.serviceAccounts;
      const server: GuichetServer = await startGuichetServer({
        couch,
        commune: tc.commune,
        port: 0,
        jobs: false,
        log: () => undefined,
        limits: { submitPerMinute: 100_000 },
        env: { GUICHET_PORTAL_PASSWORD: sa.portal.password, GUICHET_SERVER_PASSWORD: sa.server.password },
      });
      const dbUrl = `${couch.url}/${encodeURIComponent(tc.dbName("main"))}`;
      const stations: Workstation[] = [];
      for (const code of [`A${tag === "lb" ? "3" : "2"}K`, `B${tag === "lb" ? "3" : "2"}M`]) {
        const user = await tc.createUser(`agent-${tag}-${code.toLowerCase()}`, ["agent"]);
        stations.push(
          await openWorkstation({
            code,
            commune: tc.commune,
            dbUrl,
            auth: { username: user.name, password: user.password },
          }),
        );
      }
      const acks: Ack[] = [];
      const refused: string[] = [];
      let stop = false;
      let n = 0;
      const portal = Array.from({ length: 6 }, async () => {
        while (!stop) {
          const nonce = `${tag}-${n++}-${randomBytes(3).toString("hex")}`;
          try {
            const res = await fetch(`${server.url}/api/v1/requests`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({
                demarche: DEMARCHE,
                fields: { enfant: "Léa Martin", ecole: "École Jules-Ferry" },
                citizen: {
                  firstName: "Camille",
                  lastName: `Durand ${nonce}`,
                  email: `c.${nonce}@example.org`,
                  address: { line: "3 rue du Port", postcode: "13002", city: "Marseille" },
                },
              }),
            });
            const body = await res.text();
            if (res.status === 201) acks.push({ tracking: (JSON.parse(body) as { id: string }).id, nonce });
            else refused.push(`${res.status} ${body.slice(0, 120)}`);
          } catch (e) {
            refused.push(String(e));
          }
        }
      });
      const counters = stations.map(async (ws) => {
        while (!stop) {
          await ws.record();
          await pause(40);
        }
      });
      let downAcks = 0;
      try {
        await pause(1500);
        await victim.kill9();
        const before = acks.length;
        await pause(3000);
        downAcks = acks.length - before;
        await victim.start();
        await pause(1500);
      } finally {
        stop = true;
        await Promise.all([...portal, ...counters]);
      }
      try {
        // The portal went on answering with one node down.
        expect(
          downAcks,
          `aucune demande acquittée pendant la panne (${refused.slice(0, 3).join(" | ")})`,
        ).toBeGreaterThan(0);
        for (const ws of stations) await ws.settle(90_000);
        const recorded = (await Promise.all(stations.map((ws) => ws.all()))).flat();
        const trackings = acks.map((a) => a.tracking);
        expect(new Set(trackings).size, "numéros de suivi donnés deux fois").toBe(trackings.length);

        // Every acknowledged or recorded request, read with a quorum through the clients' address.
        const db = nanoAdmin(couch.url, tc.adminUser, tc.adminPassword).use<GuichetRequest>(
          tc.dbName("main"),
        );
        const expected = new Map<string, string>([
          ...acks.map((a) => [a.tracking, `Durand ${a.nonce}`] as [string, string]),
          ...recorded.map((r) => [r.id, r.citizen.lastName] as [string, string]),
        ]);
        const missing: string[] = [];
        const ids = [...expected.keys()];
        for (let i = 0; i < ids.length; i += 16) {
          await Promise.all(
            ids.slice(i, i + 16).map(async (id) => {
              const doc = await db.get(id).catch(() => null);
              if (!doc || doc.citizen.lastName !== expected.get(id)) missing.push(id);
            }),
          );
        }
        expect(missing, "demandes acquittées absentes ou portant la demande d'un autre").toEqual([]);

        // No submission stored twice: the listing, once it shows everything, has one per name.
        const listed = await waitFor(
          "la liste complète des demandes",
          async () => {
            const rows = (await db.list({ include_docs: true })).rows.filter(
              (r) => !r.id.startsWith("_design/"),
            );
            const seen = new Set(rows.map((r) => r.id));
            return ids.every((id) => seen.has(id)) ? rows : undefined;
          },
          60_000,
        );
        const perName = new Map<string, number>();
        for (const r of listed) {
          const name = (r.doc as unknown as GuichetRequest).citizen.lastName;
          perName.set(name, (perName.get(name) ?? 0) + 1);
        }
        expect(
          [...perName].filter(([, k]) => k > 1),
          "demandes enregistrées en double",
        ).toEqual([]);

        // Replicas converge: each node, read alone (r=1), gives the same winning revision, no conflict.
        const diverging = await waitFor(
          "les trois nœuds d'accord",
          async () => {
            const off: string[] = [];
            for (let i = 0; i < ids.length; i += 16) {
              await Promise.all(
                ids.slice(i, i + 16).map(async (id) => {
                  const revs = await Promise.all(nodes.map((node) => revOn(node.url, id)));
                  if (new Set(revs).size !== 1 || revs[0]?.includes("conflict"))
                    off.push(`${id}: ${revs.join(" ")}`);
                }),
              );
            }
            return off.length === 0 ? off : undefined;
          },
          90_000,
        );
        expect(diverging).toEqual([]);
        console.log(
          `[panne de nœud, ${tag}] nœud ${victim.k} tué : ${acks.length} demandes du portail acquittées (${downAcks} pendant la panne), ${recorded.length} enregistrées aux guichets, toutes présentes une fois, ${nodes.length} nœuds d'accord`,
        );
      } finally {
        for (const ws of stations) await ws.destroy().catch(() => undefined);
        await server.stop();
      }
    }

    /** The winning revision (and conflicts) as node `url` sees it when it reads one copy. */
    async function revOn(url: string, id: string): Promise<string> {
      const auth = Buffer.from(`${tc.adminUser}:${tc.adminPassword}`).toString("base64");
      const res = await fetch(
        `${url}/${encodeURIComponent(tc.dbName("main"))}/${encodeURIComponent(id)}?r=1&conflicts=true`,
        {
          headers: { Authorization: `Basic ${auth}` },
        },
      );
      if (res.status !== 200) return `absent(${res.status})`;
      const doc = (await res.json()) as { _rev: string; _conflicts?: string[] };
      return doc._conflicts?.length ? `${doc._rev}+conflict` : doc._rev;
    }
  },
);
