import { Module } from '@nestjs/common';
import { DemandsController } from './demands.controller.js';
import { DemandsService } from './demands.service.js';

/** Enterprise demands (企业需求): technical problems and talent needs. */
@Module({
  controllers: [DemandsController],
  providers: [DemandsService],
  exports: [DemandsService],
})
export class DemandsModule {}
