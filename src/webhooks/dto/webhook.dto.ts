import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  registerDecorator,
  type ValidationOptions,
} from 'class-validator';
import { OptionalNotNull, Trim } from '../../common/validators.js';
import { webhookUrlProblem } from '../address.rules.js';
import {
  ATTEMPT_OUTCOMES,
  DELIVERY_STATUSES,
  WEBHOOK_EVENTS,
  type AttemptOutcome,
  type DeliveryStatus,
  type WebhookEvent,
} from '../webhook.rules.js';

/** An http(s) URL without credentials or fragment; private addresses are checked by the service (they need DNS). */
function IsWebhookUrl(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isWebhookUrl',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && webhookUrlProblem(value, true) === null,
        defaultMessage: (args) =>
          (typeof args?.value === 'string' && webhookUrlProblem(args.value, true)) || 'must be an http or https URL',
      },
    });
}

const URL_DOC = {
  example: 'https://district-platform.example.cn/hooks/peiyu',
  description:
    'http or https; no user name, password or fragment. Loopback, private, link-local and metadata addresses ' +
    '(and names resolving to them) are refused unless WEBHOOK_ALLOW_PRIVATE=true.',
};
const EVENTS_DOC = { enum: WEBHOOK_EVENTS, isArray: true, example: ['enterprise.created', 'application.certified'] };

export class CreateWebhookDto {
  @ApiProperty(URL_DOC)
  @Trim()
  @IsString()
  @MaxLength(2048)
  @IsWebhookUrl()
  url: string;

  @ApiProperty(EVENTS_DOC)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENTS.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENTS, { each: true })
  events: WebhookEvent[];

  @ApiPropertyOptional({
    description: 'The signing secret (16–200 printable ASCII characters). Omit it to have one generated; either way it is returned in this reply only.',
    minLength: 16,
    maxLength: 200,
  })
  @OptionalNotNull()
  @IsString()
  @MinLength(16)
  @MaxLength(200)
  @Matches(/^[\x21-\x7e]+$/, { message: 'must be printable ASCII without spaces' })
  secret?: string;

  @ApiPropertyOptional({ default: true })
  @OptionalNotNull()
  @IsBoolean()
  active?: boolean;
}

export class UpdateWebhookDto {
  @ApiPropertyOptional(URL_DOC)
  @OptionalNotNull()
  @Trim()
  @IsString()
  @MaxLength(2048)
  @IsWebhookUrl()
  url?: string;

  @ApiPropertyOptional(EVENTS_DOC)
  @OptionalNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENTS.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENTS, { each: true })
  events?: WebhookEvent[];

  @ApiPropertyOptional({ description: 'true resumes a paused hook: its waiting deliveries go out again' })
  @OptionalNotNull()
  @IsBoolean()
  active?: boolean;
}

export class WebhookView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() url: string;
  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true }) events: WebhookEvent[];
  @ApiProperty() active: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When Peiyu paused it' })
  pausedAt: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why Peiyu paused it (a day of failed deliveries)' })
  pausedReason: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'First failure since the last success' })
  failingSince: string | null;
  @ApiProperty({ description: 'Failed attempts since the last success' }) consecutiveFailures: number;
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class CreatedWebhookView extends WebhookView {
  @ApiProperty({ description: 'The signing secret. Returned in this reply only; keep it with the receiver.' })
  secret: string;
}

export class WebhookDeliveryView {
  @ApiProperty({ format: 'uuid', description: 'Also the body’s `id`: the same on every retry' }) id: string;
  @ApiProperty({ format: 'uuid' }) webhookId: string;
  @ApiProperty({ enum: WEBHOOK_EVENTS }) event: WebhookEvent;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status: DeliveryStatus;
  @ApiProperty() attempts: number;
  @ApiProperty({ type: Number, nullable: true, description: 'HTTP status of the last answer' })
  lastStatusCode: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why the last attempt failed' }) lastError: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastAttemptAt: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Milliseconds the last attempt took' })
  lastDurationMs: number | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the next attempt is due (pending only)' })
  nextAttemptAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deliveredAt: string | null;
  @ApiProperty({ format: 'date-time', description: 'When the event happened' }) occurredAt: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class WebhookAttemptView {
  @ApiProperty() attempt: number;
  @ApiProperty({ description: 'The worker instance that made it' }) worker: string;
  @ApiProperty({ format: 'date-time' }) startedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt: string | null;
  @ApiProperty({ enum: ATTEMPT_OUTCOMES }) outcome: AttemptOutcome;
  @ApiProperty({ type: Number, nullable: true }) statusCode: number | null;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
  @ApiProperty({ type: Number, nullable: true }) durationMs: number | null;
}

export class WebhookDeliveryDetailView extends WebhookDeliveryView {
  @ApiProperty({ description: 'The exact JSON body sent on every attempt' }) body: string;
  @ApiProperty({ type: [WebhookAttemptView], description: 'Every attempt, oldest first' })
  attemptLog: WebhookAttemptView[];
}
