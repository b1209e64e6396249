import * as http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A fake of the two Vercel REST endpoints a rollback uses, on 127.0.0.1, following the shapes of
 * https://vercel.com/docs/rest-api (list deployments: GET /v6/deployments → `{ deployments,
 * pagination }`; promote: POST /v10/projects/{projectId}/promote/{deploymentId} → 201 `{}`).
 * It checks the bearer token and the team, as Vercel does, and records every request.
 */
export interface FakeDeployment {
  uid: string;
  projectId: string;
  target: "production" | null;
  readyState: "READY" | "ERROR" | "BUILDING" | "CANCELED";
  createdAt: number;
  url: string;
}

export interface FakeVercel {
  url: string;
  requests: { method: string; path: string; query: Record<string, string>; auth?: string }[];
  promoted: { projectId: string; deploymentId: string }[];
  close(): Promise<void>;
}

export async function startFakeVercel(options: {
  token: string;
  teamId: string;
  deployments: FakeDeployment[];
  /** Page size the fake uses, to exercise `pagination.next`. */
  pageSize?: number;
}): Promise<FakeVercel> {
  const requests: FakeVercel["requests"] = [];
  const promoted: FakeVercel["promoted"] = [];
  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const error = (res: http.ServerResponse, status: number, code: string, message: string) =>
    send(res, status, { error: { code, message } });

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const query = Object.fromEntries(url.searchParams);
    requests.push({
      method: req.method ?? "",
      path: url.pathname,
      query,
      auth: req.headers.authorization,
    });
    if (req.headers.authorization !== `Bearer ${options.token}`)
      return error(res, 403, "forbidden", "Not authorized");
    if (query.teamId !== options.teamId)
      return error(res, 403, "forbidden", "You don't have permission to access this team");

    if (req.method === "GET" && url.pathname === "/v6/deployments") {
      const states = (query.state ?? "").split(",").filter(Boolean);
      const until = query.until ? Number(query.until) : Infinity;
      const limit = Math.min(Number(query.limit ?? 20), options.pageSize ?? 100);
      const matching = options.deployments
        .filter((d) => !query.projectId || d.projectId === query.projectId)
        .filter((d) => !query.target || d.target === query.target)
        .filter((d) => states.length === 0 || states.includes(d.readyState))
        .filter((d) => d.createdAt < until)
        .sort((a, b) => b.createdAt - a.createdAt);
      const page = matching.slice(0, limit);
      const more = matching.length > limit;
      return send(res, 200, {
        deployments: page.map((d) => ({
          uid: d.uid,
          name: "ara-web",
          url: d.url,
          created: d.createdAt,
          createdAt: d.createdAt,
          state: d.readyState,
          readyState: d.readyState,
          target: d.target,
          type: "LAMBDAS",
        })),
        pagination: {
          count: page.length,
          next: more ? page[page.length - 1]!.createdAt : null,
          prev: null,
        },
      });
    }
    const promote = /^\/v10\/projects\/([^/]+)\/promote\/([^/]+)$/.exec(url.pathname);
    if (req.method === "POST" && promote) {
      const [, projectId, deploymentId] = promote.map(decodeURIComponent);
      const d = options.deployments.find((x) => x.uid === deploymentId);
      if (!d || d.projectId !== projectId)
        return error(res, 404, "not_found", "Deployment not found");
      promoted.push({ projectId: projectId!, deploymentId: deploymentId! });
      return send(res, 201, {});
    }
    return error(res, 404, "not_found", `No route ${req.method} ${url.pathname}`);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    promoted,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
