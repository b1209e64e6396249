import { describeSpec, setProps } from "../harness/real-graph";

const POLICY = "database-connection-tls";

describeSpec(POLICY, { levels: "mandatory" }, (fails) => {
  fails(
    "fails on sslmode=require",
    (g) => setProps(g, "app-env-database-url", { value: "postgresql://u:p@h/db?sslmode=require" }),
    { message: /sslmode=require/ },
  );

  fails(
    "fails on a Postgres URL without sslmode",
    (g) => setProps(g, "app-env-database-url", { value: "postgres://u:p@h/db" }),
    { message: /sslmode=\(unset\)/ },
  );

  fails("fails on a plain redis:// URL", (g) =>
    setProps(g, "app-env-redis-url", { value: "redis://default:p@h:6379" }),
  );
});
