// Every entity, in one list shared by the app, the migration runner and the drift test.
import { AnnualReport } from '../annual-reports/annual-report.entity.js';
import { ApiKey } from '../api-keys/api-key.entity.js';
import { Application } from '../applications/application.entity.js';
import { ApplicationTransition } from '../applications/application-transition.entity.js';
import { Batch } from '../applications/batch.entity.js';
import { AuditEntry } from '../audit/audit-entry.entity.js';
import { LoginFailure } from '../auth/login-failure.entity.js';
import { IdempotencyKey } from '../common/idempotency-key.entity.js';
import { ImportRow } from '../imports/import-row.entity.js';
import { ImportRecord } from '../imports/import.entity.js';
import { ContractItem } from '../contracts/contract-item.entity.js';
import { ServiceContract } from '../contracts/service-contract.entity.js';
import { ServiceRecord } from '../contracts/service-record.entity.js';
import { DemandTransition } from '../demands/demand-transition.entity.js';
import { Demand } from '../demands/demand.entity.js';
import { Enterprise } from '../enterprises/enterprise.entity.js';
import { EnterpriseFinancials } from '../enterprises/financials/enterprise-financials.entity.js';
import { InnovationProfile } from '../enterprises/innovation/innovation-profile.entity.js';
import { EnterpriseIpAsset } from '../enterprises/ip-assets/ip-asset.entity.js';
import { ReadinessAssessment } from '../readiness/readiness-assessment.entity.js';
import { ReadinessRun } from '../readiness/readiness-run.entity.js';
import { Reconciliation } from '../reconciliations/reconciliation.entity.js';
import { ReminderAttempt } from '../reminders/reminder-attempt.entity.js';
import { Reminder } from '../reminders/reminder.entity.js';
import { DemandReportSnapshot } from '../reports/demand-report-snapshot.entity.js';
import { DistrictTarget } from '../reports/district-target.entity.js';
import { TrackingLog } from '../tracking/tracking-log.entity.js';
import { Tracking } from '../tracking/tracking.entity.js';
import { User } from '../users/user.entity.js';
import { WebhookAttempt } from '../webhooks/webhook-attempt.entity.js';
import { WebhookDelivery } from '../webhooks/webhook-delivery.entity.js';
import { Webhook } from '../webhooks/webhook.entity.js';
import { WorkerHeartbeat } from '../workers/worker-heartbeat.entity.js';

export const ENTITIES = [
  User,
  ApiKey,
  AuditEntry,
  LoginFailure,
  IdempotencyKey,
  Enterprise,
  EnterpriseFinancials,
  EnterpriseIpAsset,
  InnovationProfile,
  ReadinessAssessment,
  ReadinessRun,
  Batch,
  Application,
  ApplicationTransition,
  ServiceContract,
  ContractItem,
  ServiceRecord,
  Tracking,
  TrackingLog,
  Reminder,
  ReminderAttempt,
  WorkerHeartbeat,
  AnnualReport,
  Demand,
  DemandTransition,
  DemandReportSnapshot,
  DistrictTarget,
  ImportRecord,
  ImportRow,
  Reconciliation,
  Webhook,
  WebhookDelivery,
  WebhookAttempt,
];
