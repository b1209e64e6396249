import { describeSpec, PROD_ONLY, setProps } from "../harness/real-graph";

describeSpec("database-deletion-protection", { levels: PROD_ONLY }, (fails) => {
  fails("fails when the database has deletion protection off", (g) =>
    setProps(g, "database-postgres", { deletionProtected: false }),
  );
});
