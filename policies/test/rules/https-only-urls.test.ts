import { describeSpec, find, setProps } from "../harness/real-graph";

const POLICY = "https-only-urls";

describeSpec(POLICY, { levels: "mandatory" }, (fails) => {
  fails("fails on an http:// signer URL", (g) =>
    setProps(g, "app-env-signer-url", { value: "http://api.ara.example/r2" }),
  );

  fails(
    "fails on a signer URL without a scheme",
    (g) => setProps(g, "app-env-signer-url", { value: "api.ara.example/r2" }),
    { message: /must be an https:\/\/ URL/ },
  );

  fails("fails on an HTTP health check", (g) =>
    setProps(g, "monitoring-check-app", { type: "HTTP" }),
  );

  fails("fails on a plain-HTTP CORS origin", (g) =>
    setProps(g, "storage-cors", {
      rules: [{ allowed: { origins: ["http://app.ara.example"], methods: ["GET"] } }],
    }),
  );

  fails(
    "fails on a plain-HTTP URL in a worker variable",
    (g) =>
      (find(g, "worker-script").props.bindings as object[]).push({
        type: "plain_text",
        name: "APP_ORIGIN",
        text: "http://app.ara.example",
      }),
    { message: /binding APP_ORIGIN is a plain http:\/\/ URL/ },
  );
});
