import { T } from "../../lib/types";
import { describeSpec, drop, find, setProps } from "../harness/real-graph";

const POLICY = "r2-public-access-disabled";

describeSpec(POLICY, { levels: "mandatory" }, (fails) => {
  fails("fails when r2.dev access is on", (g) => setProps(g, "storage-r2dev", { enabled: true }));

  fails("fails when nothing pins r2.dev access off", (g) => drop(g, "storage-r2dev"));

  fails(
    "fails when a custom domain serves the bucket",
    (g) =>
      g.resources.push({
        urn: "urn:x::cd",
        type: T.r2CustomDomain,
        name: "public",
        props: { bucketName: find(g, "storage-bucket").props.name, domain: "files.ara.example" },
      }),
    { message: /custom domain/ },
  );
});
