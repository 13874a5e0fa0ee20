import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedHook {
  headers: http.IncomingHttpHeaders;
  /** The body exactly as it arrived, for signature checks. */
  raw: string;
  body: { id: string; event: string; occurredAt: string; data: Record<string, unknown> };
}

/** A real HTTP receiver in the test process: keeps every POST and answers with `status`. */
export class WebhookReceiver {
  readonly received: ReceivedHook[] = [];
  /** The status to answer with; change it to simulate a failing receiver. */
  status = 200;
  private server?: http.Server;
  port = 0;

  get running(): boolean {
    return this.server !== undefined;
  }

  async start(port = this.port): Promise<this> {
    if (this.server) return this;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: ReceivedHook['body'];
        try {
          body = JSON.parse(raw);
        } catch {
          body = { id: '', event: '', occurredAt: '', data: {} };
        }
        this.received.push({ headers: req.headers, raw, body });
        res.writeHead(this.status, { 'content-type': 'text/plain' }).end(this.status < 300 ? 'ok' : 'receiver is unwell');
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  /** Down: connections are refused until `start(this.port)` again. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/peiyu`;
  }

  of(deliveryId: string): ReceivedHook[] {
    return this.received.filter((r) => r.body.id === deliveryId);
  }
}
