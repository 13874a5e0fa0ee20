// Migrations in the order they run. Listed by hand so the app, the tests and the CLI load
// exactly these classes, with no file globbing that differs between src and dist.
import { Foundation1764230400000 } from './1764230400000-foundation.js';
import { ReadinessInputs1764300000000 } from './1764300000000-readiness-inputs.js';
import { Readiness1764310000000 } from './1764310000000-readiness.js';
import { Applications1764320000000 } from './1764320000000-applications.js';
import { Contracts1764330000000 } from './1764330000000-contracts.js';
import { Tracking1764340000000 } from './1764340000000-tracking.js';
import { Reminders1764350000000 } from './1764350000000-reminders.js';
import { ReminderDelivery1764360000000 } from './1764360000000-reminder-delivery.js';
import { DemandsReports1764370000000 } from './1764370000000-demands-reports.js';
import { Webhooks1764380000000 } from './1764380000000-webhooks.js';
import { Imports1764390000000 } from './1764390000000-imports.js';
import { RemindersDuePage1764400000000 } from './1764400000000-reminders-due-page.js';
import { EnterpriseWriteChurn1764410000000 } from './1764410000000-enterprise-write-churn.js';

export const MIGRATIONS = [Foundation1764230400000, ReadinessInputs1764300000000, Readiness1764310000000, Applications1764320000000, Contracts1764330000000, Tracking1764340000000, Reminders1764350000000, ReminderDelivery1764360000000, DemandsReports1764370000000, Webhooks1764380000000, Imports1764390000000, RemindersDuePage1764400000000, EnterpriseWriteChurn1764410000000];
