// Just what the benchmark uses of PouchDB (no @types package is installed).
declare module "pouchdb-browser" {
  type ReplicationResult = { ok: boolean; docs_written: number; docs_read: number };
  export default class PouchDB {
    constructor(
      name: string,
      opts?: { fetch?: (url: RequestInfo | URL, opts?: RequestInit) => Promise<Response> },
    );
    bulkDocs(docs: object[]): Promise<unknown>;
    info(): Promise<{ doc_count: number }>;
    destroy(): Promise<void>;
    replicate: {
      to(target: PouchDB, opts?: { batch_size?: number }): Promise<ReplicationResult>;
      from(source: PouchDB, opts?: { batch_size?: number }): Promise<ReplicationResult>;
    };
  }
}
