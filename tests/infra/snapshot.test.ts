import { describe, expect, it } from "vitest";
import { renderGraph } from "../../offline/render";
import { planStack, STACKS } from "../harness";

// The committed graph of each stack is the reviewable diff of an infrastructure change. It
// includes the digests of the deployed worker bundle and web artifact, so a change to app/
// shows here too.
const HOW_TO_ACCEPT =
  "the resource graph changed: review the diff below, then accept it deliberately with " +
  "`npx vitest run --project infra -u` and commit tests/snapshots with the change";

describe("resource graph snapshots", () => {
  it.each(STACKS)("%s matches its committed graph in tests/snapshots", async (stack) => {
    const run = await planStack(stack);
    await expect(renderGraph(run), HOW_TO_ACCEPT).toMatchFileSnapshot(`../snapshots/${stack}.yaml`);
  });
});
