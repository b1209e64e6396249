import { describe, expect, it } from "vitest";
import { renderGraph } from "../../scripts/plan/render";
import { planStack, STACKS } from "../harness";

// The committed graph of each stack is the reviewable diff of an infrastructure change.
describe("resource graph snapshots", () => {
  it.each(STACKS)("%s matches its committed graph in tests/snapshots", async (stack) => {
    const run = await planStack(stack);
    await expect(renderGraph(run)).toMatchFileSnapshot(`../snapshots/${stack}.yaml`);
  });
});
