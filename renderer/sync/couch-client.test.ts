import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { couchClient } from "./couch-client";
import type { FetchLike } from "./http";

type Sent = { encoding: string | undefined; docs: { _id: string }[] };

/** A server that answers every `_bulk_docs` with ok rows, and a line that can refuse gzip bodies. */
function server(opts: { refuseGzip?: boolean } = {}) {
  const sent: Sent[] = [];
  const fetchImpl: FetchLike = async (_url, init) => {
    const headers = init?.headers as Record<string, string>;
    const encoding = headers["Content-Encoding"];
    if (encoding === "gzip" && opts.refuseGzip) throw new TypeError("Failed to fetch");
    const raw = init?.body;
    const text =
      encoding === "gzip" ? gunzipSync(Buffer.from(raw as ArrayBuffer)).toString("utf8") : String(raw);
    const { docs } = JSON.parse(text) as { docs: { _id: string }[] };
    sent.push({ encoding, docs });
    return new Response(JSON.stringify(docs.map((d) => ({ id: d._id, ok: true, rev: "1-a" }))), {
      status: 201,
    });
  };
  return { sent, fetchImpl };
}

const docs = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({
    _id: `K7M${String(from + i).padStart(5, "0")}`,
    subject: "x".repeat(200),
  }));
const auth = { username: "agent", password: "secret" };

describe("the CouchDB client's _bulk_docs bodies", () => {
  it("gzips a large body, and sends a body made ahead as it was made", async () => {
    const s = server();
    const client = couchClient("http://couch.test/db", auth, s.fetchImpl);
    await client.bulkDocs(docs(2));
    const ready = await client.bulkBody(docs(20, 2));
    const rows = await client.bulkDocs(ready);
    expect(s.sent.map((x) => x.encoding)).toEqual([undefined, "gzip"]);
    expect(s.sent[1]!.docs.map((d) => d._id)).toEqual(docs(20, 2).map((d) => d._id));
    expect(rows).toHaveLength(20);
  });

  it("sends plain JSON once a line refuses gzip bodies, a body made ahead included", async () => {
    const s = server({ refuseGzip: true });
    const client = couchClient("http://couch.test/db", auth, s.fetchImpl);
    const ahead = await client.bulkBody(docs(20, 100));
    expect(ahead.gz).toBeDefined();
    const first = await client.bulkDocs(docs(20));
    expect(first).toHaveLength(20);
    await client.bulkDocs(ahead);
    expect(s.sent.map((x) => x.encoding)).toEqual([undefined, undefined]);
    expect(s.sent[1]!.docs.map((d) => d._id)).toEqual(docs(20, 100).map((d) => d._id));
    expect((await client.bulkBody(docs(20))).gz).toBeUndefined();
  });
});
