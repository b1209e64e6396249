import { T } from "../../lib/types";
import { describeSpec, PROD_ONLY, type Graph } from "../harness/real-graph";

const POLICY = "paging-escalation";

const rules = (g: Graph) =>
  g.resources.find((r) => r.type === T.pagerdutyEscalationPolicy)!.props.rules as Record<
    string,
    any
  >[];

describeSpec(POLICY, { levels: PROD_ONLY }, (fails) => {
  fails(
    "fails with a single escalation level",
    (g) => {
      rules(g).splice(1);
    },
    { message: /1 level\(s\); at least 2/ },
  );
  fails(
    "fails when a level pages nobody",
    (g) => {
      rules(g)[1]!.targets = [];
    },
    { message: /level 2 pages nobody/ },
  );
});
