import type { CreateEnterpriseDto } from './dto/enterprise.dto.js';
import type { EnterpriseStatus, EnterpriseTier, TechDomain } from './enterprise.constants.js';

/** The columns of an enterprise that people write (the API, an import); the rest the system keeps. */
export interface EnterpriseValues {
  name: string;
  creditCode: string;
  creditCodeWarning: boolean;
  registeredAt: string | null;
  street: string | null;
  industry: string | null;
  techDomain: TechDomain | null;
  contactName: string | null;
  contactEmail: string | null;
  contactPhone: string | null;
  officerId: string | null;
  status: EnterpriseStatus;
  /** Set by a person rather than by readiness: readiness then leaves the status alone. */
  statusManual: boolean;
  tier: EnterpriseTier | null;
  remindersEnabled: boolean;
  tags: string[];
}

/** A new enterprise's values from a validated create request and its checked credit code. */
export const newEnterpriseValues = (
  dto: CreateEnterpriseDto,
  creditCode: { code: string; warning: boolean },
): EnterpriseValues => ({
  name: dto.name,
  creditCode: creditCode.code,
  creditCodeWarning: creditCode.warning,
  registeredAt: dto.registeredAt ?? null,
  street: dto.street ?? null,
  industry: dto.industry ?? null,
  techDomain: dto.techDomain ?? null,
  contactName: dto.contactName ?? null,
  contactEmail: dto.contactEmail ?? null,
  contactPhone: dto.contactPhone ?? null,
  officerId: dto.officerId ?? null,
  status: dto.status ?? 'prospect',
  statusManual: dto.status !== undefined,
  tier: dto.tier ?? null,
  remindersEnabled: dto.remindersEnabled ?? true,
  tags: dto.tags ?? [],
});
