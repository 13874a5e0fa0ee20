import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

/** A received mail as a reader sees it: the decoded subject, text and HTML. */
export async function readMail(mail: ReceivedMail): Promise<{ subject: string; text: string; html: string; messageId: string }> {
  const parsed = await simpleParser(mail.raw);
  return {
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : '',
    messageId: parsed.messageId ?? '',
  };
}

/** A real SMTP listener in the test process that keeps what it receives. */
export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  private server?: SMTPServer;
  port = 0;
  /** When set, RCPT TO for these addresses is refused permanently (550). */
  readonly rejectRecipients = new Set<string>();
  /**
   * Once this many mails are accepted, hold every further one: its data is read but the
   * server does not answer, as a slow SMTP server would, until `release()`. A mail held when
   * its sender dies was never accepted, and is not kept.
   */
  holdAfter = Infinity;
  private readonly held: { sessionId: string; accept: () => void }[] = [];
  private readonly closedSessions = new Set<string>();

  get heldCount(): number {
    return this.held.filter((h) => !this.closedSessions.has(h.sessionId)).length;
  }

  /** Stops holding: answers the held mails whose senders are still connected. */
  release(): void {
    this.holdAfter = Infinity;
    for (const h of this.held.splice(0)) if (!this.closedSessions.has(h.sessionId)) h.accept();
  }

  async start(port = 0, extra: Partial<SMTPServerOptions> = {}): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        if (this.rejectRecipients.has(address.address)) {
          const err = new Error('mailbox unavailable') as Error & { responseCode: number };
          err.responseCode = 550;
          return callback(err);
        }
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const accept = () => {
            this.received.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              raw: Buffer.concat(chunks).toString('utf8'),
            });
            callback();
          };
          if (this.received.length >= this.holdAfter) this.held.push({ sessionId: session.id, accept });
          else accept();
        });
      },
      onClose: (session, callback) => {
        this.closedSessions.add(session.id);
        callback();
      },
      ...extra,
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
