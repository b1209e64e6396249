import { describeSpec, PROD_ONLY, setProps } from "../harness/real-graph";

const POLICY = "database-deletion-protection";

describeSpec(POLICY, { levels: PROD_ONLY }, (fails) => {
  fails("fails when the database has deletion protection off", (g) =>
    setProps(g, "database-postgres", { deletionProtected: false }),
  );
});
