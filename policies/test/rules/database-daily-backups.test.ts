import { ADVISORY_IN_DEV, describeSpec, drop, setProps } from "../harness/real-graph";

const POLICY = "database-daily-backups";

// dev's seed requirement is weekly backups: its config relaxes the interval and the level.
describeSpec(POLICY, { levels: ADVISORY_IN_DEV }, (fails) => {
  fails(
    "fails on weekly backups",
    (g) => setProps(g, "database-backups", { frequencyUnit: "week" }),
    { message: /every 168 h/ },
  );

  fails("fails on 3 days' retention", (g) =>
    setProps(g, "database-backups", { retentionValue: 3 }),
  );

  fails("fails without a backup policy", (g) => drop(g, "database-backups"), {
    message: /no backup policy/,
  });
});
