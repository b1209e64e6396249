import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { flatHeaders, readBody, S3_KEY_ID, S3_SECRET, verifySigV4 } from "./s3";

export interface Published {
  topicArn: string;
  subject: string;
  message: string;
}

/**
 * A stand-in for SNS Publish on 127.0.0.1 (SNS cannot run here): it verifies each request's
 * SigV4 signature (the replicator signs with the same IAM key it uses for S3) for service
 * `sns` in the topic's region, parses the Query-API form body the
 * way SNS does, and answers with SNS's XML. `failNext` makes it refuse like a throttled SNS.
 */
export class LocalSns {
  readonly published: Published[] = [];
  readonly verdicts: string[] = [];
  failNext = 0;
  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
  ) {}

  static async start(region: string, topicArn: string): Promise<LocalSns> {
    let self: LocalSns | undefined = undefined;
    const server = createServer(async (req, res) => {
      const body = await readBody(req);
      const headers = flatHeaders(req);
      let verdict = verifySigV4(
        { method: req.method ?? "GET", url: req.url ?? "/", headers, body },
        { region, service: "sns", secrets: { [S3_KEY_ID]: S3_SECRET } },
      );
      const form = new URLSearchParams(body.toString("utf8"));
      if (verdict === "ok") {
        if (req.method !== "POST" || req.url !== "/")
          verdict = `unexpected ${req.method} ${req.url}`;
        else if (!/^application\/x-www-form-urlencoded/.test(headers["content-type"] ?? ""))
          verdict = "not a form body";
        else if (form.get("Action") !== "Publish") verdict = `action ${form.get("Action")}`;
        else if (form.get("TopicArn") !== topicArn) verdict = `topic ${form.get("TopicArn")}`;
        else if ((form.get("Subject") ?? "").length > 100) verdict = "subject over 100 characters";
      }
      const outage = self!.failNext > 0;
      if (outage) self!.failNext--;
      self!.verdicts.push(outage ? "throttled" : verdict);
      if (outage || verdict !== "ok") {
        const [status, code] = outage ? [400, "Throttling"] : [403, "SignatureDoesNotMatch"];
        res
          .writeHead(status, { "content-type": "text/xml" })
          .end(
            `<ErrorResponse><Error><Code>${code}</Code><Message>${verdict}</Message></Error></ErrorResponse>`,
          );
        return;
      }
      self!.published.push({
        topicArn: form.get("TopicArn")!,
        subject: form.get("Subject") ?? "",
        message: form.get("Message") ?? "",
      });
      const id = `msg-${self!.published.length}`;
      res
        .writeHead(200, { "content-type": "text/xml" })
        .end(
          `<PublishResponse><PublishResult><MessageId>${id}</MessageId></PublishResult></PublishResponse>`,
        );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    self = new LocalSns(server, `http://127.0.0.1:${port}`);
    return self;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server.close(resolve));
  }
}
