import { describeSpec, find, setProps, type Graph } from "../harness/real-graph";

const POLICY = "zone-hsts";

/** Changes the planned strict_transport_security settings. */
const hsts = (g: Graph, change: Record<string, unknown>) => {
  const value = find(g, "edge-hsts").props.value as {
    strict_transport_security: Record<string, unknown>;
  };
  Object.assign(value.strict_transport_security, change);
};

describeSpec(POLICY, { levels: "mandatory" }, (fails) => {
  fails("fails on a one-day max_age", (g) => hsts(g, { max_age: 86400 }), {
    message: /at least 31536000/,
  });

  fails("fails prod without include_subdomains", (g) => hsts(g, { include_subdomains: false }));

  fails(
    "fails on camelCase keys",
    (g) =>
      setProps(g, "edge-hsts", {
        value: { strictTransportSecurity: { enabled: true, maxAge: 31536000 } },
      }),
    { message: /camelCase/ },
  );
});
