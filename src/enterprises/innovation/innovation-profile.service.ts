import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Actor } from '../../auth/actor.js';
import { AuditService } from '../../audit/audit.service.js';
import { DomainEvents } from '../../common/domain-events.js';
import { Problem } from '../../common/problem.js';
import { assertLiveEnterprise, lockEnterpriseForChildWrite } from '../enterprise-access.js';
import { putRow } from '../put-row.js';
import type { InnovationProfileView, PutInnovationProfileDto } from './innovation-profile.dto.js';
import { InnovationProfile } from './innovation-profile.entity.js';

const AUDITED: (keyof InnovationProfile)[] = [
  'techAdvancement',
  'coreSupport',
  'standardsParticipation',
  'projectAccounting',
  'rdInstitution',
  'transformationIncentives',
  'talentDevelopment',
  'noMajorIncident',
  'directPass',
];

export const toInnovationProfileView = (p: InnovationProfile): InnovationProfileView => ({
  enterpriseId: p.enterpriseId,
  techAdvancement: p.techAdvancement,
  coreSupport: p.coreSupport,
  standardsParticipation: p.standardsParticipation,
  rdManagement: {
    projectAccounting: p.projectAccounting,
    rdInstitution: p.rdInstitution,
    transformationIncentives: p.transformationIncentives,
    talentDevelopment: p.talentDevelopment,
  },
  noMajorIncident: p.noMajorIncident,
  directPass: p.directPass,
  version: p.version,
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});

/** One innovation profile per enterprise (创新能力评价), replaced whole by PUT. */
@Injectable()
export class InnovationProfileService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
  ) {}

  async get(enterpriseId: string): Promise<InnovationProfileView> {
    await assertLiveEnterprise(this.dataSource, enterpriseId);
    const profile = await this.dataSource.manager.findOneBy(InnovationProfile, { enterpriseId });
    if (!profile)
      throw new Problem(404, 'not-found', `Enterprise ${enterpriseId} has no innovation profile yet.`);
    return toInnovationProfileView(profile);
  }

  /** Creates or wholly replaces the profile; `created` tells a 201 from a 200. */
  async put(
    actor: Actor,
    enterpriseId: string,
    dto: PutInnovationProfileDto,
    ifMatch?: number,
  ): Promise<{ created: boolean; profile: InnovationProfileView }> {
    const rd = dto.rdManagement ?? {};
    const values: Partial<InnovationProfile> = {
      techAdvancement: dto.techAdvancement ?? null,
      coreSupport: dto.coreSupport ?? null,
      standardsParticipation: dto.standardsParticipation ?? false,
      projectAccounting: rd.projectAccounting ?? null,
      rdInstitution: rd.rdInstitution ?? null,
      transformationIncentives: rd.transformationIncentives ?? null,
      talentDevelopment: rd.talentDevelopment ?? null,
      noMajorIncident: dto.noMajorIncident ?? null,
      directPass: dto.directPass ?? null,
    };

    const outcome = await this.dataSource.transaction(async (m) => {
      await lockEnterpriseForChildWrite(m, actor, enterpriseId);
      const put = await putRow(m, InnovationProfile, { enterpriseId }, values, AUDITED, ifMatch);
      if (put.action) {
        await this.audit.record(m, actor, {
          action: put.action,
          entity: 'innovationProfile',
          entityId: enterpriseId,
          changes: put.changes,
        });
      }
      return put;
    });
    if (outcome.action)
      await this.events.publish({ type: 'enterprise.readinessInputsChanged', enterpriseId });
    return { created: outcome.action === 'create', profile: toInnovationProfileView(outcome.row) };
  }
}
