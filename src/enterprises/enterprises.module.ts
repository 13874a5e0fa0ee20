import { Module } from '@nestjs/common';
import { EnterprisesController } from './enterprises.controller.js';
import { EnterprisesService } from './enterprises.service.js';
import { FinancialsController } from './financials/financials.controller.js';
import { FinancialsService } from './financials/financials.service.js';
import { InnovationProfileController } from './innovation/innovation-profile.controller.js';
import { InnovationProfileService } from './innovation/innovation-profile.service.js';
import { IpAssetsController } from './ip-assets/ip-assets.controller.js';
import { IpAssetsService } from './ip-assets/ip-assets.service.js';
import { ReadinessInputsService } from './readiness-inputs.service.js';

/** The registry and what readiness is computed from: yearly figures, IP assets, the innovation profile. */
@Module({
  controllers: [EnterprisesController, FinancialsController, IpAssetsController, InnovationProfileController],
  providers: [
    EnterprisesService,
    FinancialsService,
    IpAssetsService,
    InnovationProfileService,
    ReadinessInputsService,
  ],
  exports: [EnterprisesService, ReadinessInputsService],
})
export class EnterprisesModule {}
