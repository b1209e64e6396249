import { describeSpec, setProps } from "../harness/real-graph";

const POLICY = "vercel-sensitive-credentials";

describeSpec(POLICY, { levels: "mandatory" }, (fails) => {
  fails(
    "fails on a credential that is not sensitive",
    (g) => setProps(g, "app-env-jwt-secret", { sensitive: false }),
    { message: /JWT_SECRET/ },
  );
});
