import { describeSpec, setConfig, setProps } from "../harness/real-graph";

const POLICY = "zone-min-tls-version";

describeSpec(POLICY, { levels: "mandatory" }, (fails) => {
  fails("fails when the zone allows TLS 1.0", (g) =>
    setProps(g, "edge-min-tls-version", { value: "1.0" }),
  );

  fails(
    "fails when the stack asks for 1.3 and the zone says 1.2",
    (g) => {
      setConfig(g, "edge", { minTlsVersion: "1.3" });
      setProps(g, "edge-min-tls-version", { value: "1.2" });
    },
    { message: /required minimum is "1\.3"/ },
  );
});
