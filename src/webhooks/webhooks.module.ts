import { Module, type DynamicModule } from '@nestjs/common';
import { EnterprisesModule } from '../enterprises/enterprises.module.js';
import { WebhookOutbox } from './webhook-outbox.service.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksProcessor } from './webhooks.processor.js';
import { WebhooksService } from './webhooks.service.js';

/**
 * Webhooks: the API, the outbox that turns domain events into deliveries (in every process
 * that publishes events), and — where workers run — the sweeper and the sender.
 */
@Module({})
export class WebhooksModule {
  static register(runsWorker: boolean): DynamicModule {
    return {
      module: WebhooksModule,
      // ApplicationsService is found through ModuleRef: its module is registered (once) by the app.
      imports: [EnterprisesModule],
      controllers: [WebhooksController],
      providers: [WebhookOutbox, WebhooksService, ...(runsWorker ? [WebhooksProcessor] : [])],
    };
  }
}
