import { describeSpec, drop, PROD_ONLY, setProps } from "../harness/real-graph";

const POLICY = "email-domain-authenticated";

// Prod's mail must authenticate; dev sends none and staging may still be warming up its domain.
describeSpec(POLICY, { levels: PROD_ONLY }, (fails) => {
  fails(
    "fails when DMARC only monitors (p=none)",
    (g) => setProps(g, "email-dmarc", { content: "v=DMARC1; p=none; sp=none; adkim=r; aspf=r" }),
    { message: /publishes DMARC p=none; prod needs quarantine or reject/ },
  );
  fails("fails without a DMARC record", (g) => drop(g, "email-dmarc"), {
    message: /has no DMARC record at _dmarc\.mail\.ara\.example/,
  });
  fails("fails when a DKIM CNAME is missing", (g) => drop(g, "email-dkim-2"), {
    message: /has 2 of its 3 Easy DKIM CNAME records/,
  });
  fails(
    "fails when the identity brings its own DKIM key instead of Easy DKIM",
    (g) =>
      setProps(g, "email-identity", {
        dkimSigningAttributes: { domainSigningPrivateKey: "[secret]", domainSigningSelector: "s1" },
      }),
    { message: /brings its own DKIM key/ },
  );
});
