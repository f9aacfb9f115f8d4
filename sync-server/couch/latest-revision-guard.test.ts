import { describe, expect, it } from "vitest";
import { type RevTree, treeHolds } from "./latest-revision-guard";

describe("treeHolds: whether pouchdb-node can resolve `latest` for a revision", () => {
  // 1-a ─ 2-b ─ 3-c
  //     └ 2-d          and a stemmed path starting at generation 5: 5-e ─ 6-f
  const tree: RevTree = [
    {
      pos: 1,
      ids: [
        "a",
        {},
        [
          ["b", {}, [["c", {}, []]]],
          ["d", {}, []],
        ],
      ],
    },
    { pos: 5, ids: ["e", {}, [["f", {}, []]]] },
  ];
  it("finds revisions at every depth and on every branch and path", () => {
    for (const rev of ["1-a", "2-b", "3-c", "2-d", "5-e", "6-f"])
      expect(treeHolds(tree, rev), rev).toBe(true);
  });
  it("refuses a hash at the wrong generation, an unknown hash, and a malformed revision", () => {
    for (const rev of ["2-c", "3-b", "2-x", "4-c", "7-f", "c", "", "-a"])
      expect(treeHolds(tree, rev), rev).toBe(false);
  });
});
