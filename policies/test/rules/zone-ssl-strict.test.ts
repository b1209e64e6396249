import { describeSpec, setProps } from "../harness/real-graph";

describeSpec("zone-ssl-strict", { levels: "mandatory" }, (fails) => {
  fails("fails on full TLS without certificate validation", (g) =>
    setProps(g, "edge-ssl", { value: "full" }),
  );
});
