import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { AppConfig } from '../config/app-config.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Derived from the record that caused the mail, so a resend is recognisable. */
  messageId?: string;
  headers?: Record<string, string>;
}

export interface SentMail {
  messageId: string;
  /** Where it went: the SMTP server's reply, or the .eml file written. */
  response: string;
}

/**
 * Sends mail over SMTP_URL (pooled), or writes .eml files under OUTBOX_DIR when no SMTP
 * server is configured — a working default on a laptop.
 */
@Injectable()
export class MailService implements OnApplicationShutdown {
  private readonly logger = new Logger(MailService.name);
  private readonly transport: Transporter;
  private readonly toFiles: boolean;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly config: AppConfig) {
    this.toFiles = !config.SMTP_URL;
    if (config.SMTP_URL) {
      const url = new URL(config.SMTP_URL);
      if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true');
      // One connection per reminder send slot; SMTP_URL may set its own.
      if (!url.searchParams.has('maxConnections'))
        url.searchParams.set('maxConnections', String(config.REMINDER_SEND_CONCURRENCY));
      this.transport = nodemailer.createTransport(url.toString());
    } else {
      this.transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    }
  }

  get from(): string {
    return this.config.MAIL_FROM;
  }

  async send(mail: OutgoingMail): Promise<SentMail> {
    const sending = this.transport.sendMail({
      from: this.config.MAIL_FROM,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
      headers: mail.headers,
    });
    this.inFlight.add(sending);
    const info = await sending.finally(() => this.inFlight.delete(sending));
    if (!this.toFiles) return { messageId: info.messageId, response: String(info.response) };
    const dir = this.config.OUTBOX_DIR;
    await mkdir(dir, { recursive: true });
    const file = join(
      dir,
      `${new Date().toISOString().replace(/[:.]/g, '-')}-${info.messageId.replace(/[^A-Za-z0-9.@-]/g, '_')}.eml`,
    );
    await writeFile(file, (info as unknown as { message: Buffer }).message);
    this.logger.log(`Mail to ${mail.to} written to ${file}`);
    return { messageId: info.messageId, response: file };
  }

  /**
   * Not onModuleDestroy: Nest runs that before the queue workers stop, and a send a job begins
   * after it would find the pool closed. MailModule is global, so this runs after the other
   * modules' shutdown hooks (the workers close there, waiting for their jobs); a send still
   * under way is waited for all the same.
   */
  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.inFlight);
    this.transport.close();
  }
}
