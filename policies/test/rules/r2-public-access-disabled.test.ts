import { describe, it } from "vitest";
import { T } from "../../lib/types";
import {
  drop,
  expectViolation,
  find,
  itPassesOnTheRealStacks,
  runPolicy,
  setProps,
} from "../harness/real-graph";

const POLICY = "r2-public-access-disabled";

describe(POLICY, () => {
  itPassesOnTheRealStacks(POLICY, { dev: "mandatory", staging: "mandatory", prod: "mandatory" });

  it("fails when r2.dev access is on", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) => setProps(g, "storage-r2dev", { enabled: true }),
    });
    expectViolation(result);
  });

  it("fails when nothing pins r2.dev access off", async () => {
    const result = await runPolicy(POLICY, { mutate: (g) => drop(g, "storage-r2dev") });
    expectViolation(result);
  });

  it("fails when a custom domain serves the bucket", async () => {
    const result = await runPolicy(POLICY, {
      mutate: (g) =>
        g.resources.push({
          urn: "urn:x::cd",
          type: T.r2CustomDomain,
          name: "public",
          props: { bucketName: find(g, "storage-bucket").props.name, domain: "files.ara.example" },
        }),
    });
    expectViolation(result, { message: /custom domain/ });
  });
});
