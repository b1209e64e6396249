import { describeSpec, drop, find, PROD_ONLY, setProps } from "../harness/real-graph";

const POLICY = "database-cross-region-copy";

describeSpec(POLICY, { levels: PROD_ONLY }, (fails) => {
  fails("fails without the backup bucket", (g) => drop(g, "database-backup"), {
    message: /no cross-region copy/,
  });

  fails(
    "fails when the bucket is in the database's own region",
    (g) => setProps(g, "database-backup", { region: "us-east-1" }),
    { message: /in us-east-1, the region of/ },
  );

  fails(
    "fails when a database in aws-us-west-2 is copied to us-west-2",
    (g) => setProps(g, "database-postgres", { region: "aws-us-west-2" }),
    { message: /in us-west-2, the region of/ },
  );

  fails(
    "fails when dumps are deleted after fewer than 7 days",
    (g) => {
      const lifecycle = find(g, "database-backup-lifecycle");
      const [rule] = lifecycle.props.rules as Record<string, unknown>[];
      setProps(g, "database-backup-lifecycle", {
        rules: [{ ...rule, expiration: { days: 3 } }],
      });
    },
    { message: /after 3 days, fewer than 7/ },
  );
});
