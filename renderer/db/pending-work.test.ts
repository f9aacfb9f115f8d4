import { firstValueFrom } from "rxjs";
import { filter } from "rxjs/operators";
import { describe, expect, it } from "vitest";
import { buildRequest } from "../../domain/test-fixtures";
import { localDataPerTest } from "./local-data.test-support";
import { PENDING_LISTED, pendingWork$ } from "./pending-work";
import { syncLedger } from "./sync-ledger";

const data = localDataPerTest();

describe("the work waiting on a workstation, as the sync screen lists it", () => {
  it("names each pending request by its subject and each file waiting by its name and request", async () => {
    const d = await data();
    const base = buildRequest("demande_generale");
    const meta = {
      id: "scan-0001-abcd",
      name: "justificatif.pdf",
      mime: "application/pdf" as const,
      size: 4,
      sha256: "a".repeat(64),
    };
    const request = { ...base, subject: "Question sur le recensement", attachments: [meta] };
    await d.db.requests.insert(request);
    await (await syncLedger(d.db)).markPending([request.id], "2026-12-06T09:00:00.000Z");
    await d.local.attachment_files.insert({
      id: meta.id,
      requestId: request.id,
      mime: meta.mime,
      data: "JVBERg==",
    });

    const work = await firstValueFrom(
      pendingWork$(d).pipe(filter((w) => w.files.length > 0 && w.requests.length > 0)),
    );
    expect(work).toEqual({
      requests: [
        { id: request.id, since: "2026-12-06T09:00:00.000Z", subject: "Question sur le recensement" },
      ],
      files: [{ id: meta.id, requestId: request.id, name: "justificatif.pdf" }],
      moreRequests: 0,
    });
  });

  it("lists the first requests waiting and counts the rest (weeks offline must not freeze the screen)", async () => {
    const d = await data();
    const n = PENDING_LISTED + 5;
    await (await syncLedger(d.db)).markPending(
      Array.from({ length: n }, (_, i) => `K7M${String(i).padStart(5, "0")}`),
      "2026-12-06T09:00:00.000Z",
    );
    const work = await firstValueFrom(pendingWork$(d).pipe(filter((w) => w.requests.length > 0)));
    expect(work.requests).toHaveLength(PENDING_LISTED);
    expect(work.requests[0]?.id).toBe("K7M00000");
    expect(work.moreRequests).toBe(5);
  });

  it("is empty once everything reached the server", async () => {
    const d = await data();
    expect(await firstValueFrom(pendingWork$(d))).toEqual({ requests: [], files: [], moreRequests: 0 });
  });
});
