import type { PouchConstructor } from "./pouch-modules";

type Callback = (err: unknown, result?: unknown) => void;
/** A revision tree as pouchdb-node keeps it: each path starts at `pos`, each node is [hash, status, children]. */
export type RevTree = { pos: number; ids: RevNode }[];
type RevNode = [string, unknown, RevNode[]];
type GuardedDb = {
  constructor: unknown;
  _get: (id: unknown, opts: { rev?: unknown; latest?: unknown }, cb: Callback) => unknown;
  _getRevisionTree: (id: unknown, cb: (err: unknown, tree?: RevTree) => void) => unknown;
  __latestGuard?: true;
};

/** Whether the document's revision tree holds this revision. */
export function treeHolds(tree: RevTree, rev: string): boolean {
  const [gen, hash] = [Number.parseInt(rev, 10), rev.slice(rev.indexOf("-") + 1)];
  const walk = (node: RevNode, pos: number): boolean =>
    (pos === gen && node[0] === hash) || (pos < gen && node[2].some((child) => walk(child, pos + 1)));
  return tree.some((path) => walk(path.ids, path.pos));
}

/**
 * pouchdb-node's `latest` throws inside its LevelDB callback for a revision that is not in the
 * document's tree, outside any request: any member's `GET doc?rev=9-x&latest=true` (or
 * `open_revs`, or `_bulk_get?latest=true`) killed the embedded server. CouchDB answers such a
 * revision as missing: so does the embedded server now, at the one storage read all of those go
 * through. Installed on the databases of `Mine` as they open.
 */
export function answerUnknownLatestAsMissing(Base: PouchConstructor, Mine: PouchConstructor): void {
  Base.on("ref", (instance: unknown) => {
    const db = instance as GuardedDb;
    if (db.constructor !== Mine || db.__latestGuard || typeof db._get !== "function") return;
    db.__latestGuard = true;
    const inner = db._get;
    db._get = function (this: unknown, id, opts, cb) {
      if (!opts?.latest || typeof opts.rev !== "string") return inner.call(this, id, opts, cb);
      const rev = opts.rev;
      db._getRevisionTree(id, (err, tree) => {
        if (err || !tree || !treeHolds(tree, rev)) {
          // PouchDB's own "missing" shape: express-pouchdb answers 404, open_revs lists it as missing.
          cb(Object.assign(new Error("missing"), { status: 404, name: "not_found", error: true }));
          return;
        }
        inner.call(this, id, opts, cb);
      });
    };
  });
}
