import { Body, Controller, Get, HttpCode, Post, Query, Res, StreamableFile, UseGuards } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Requires } from '../auth/access.decorators.js';
import type { Actor } from '../auth/actor.js';
import { ApiOk, ApiPage, ApiProblem, ApiStandardErrors } from '../common/openapi.js';
import { CurrentActor, IfMatch, UuidParam } from '../common/params.js';
import { MultipartForm } from '../common/upload.js';
import {
  DryRunQuery,
  EnterpriseExportQuery,
  ImportForm,
  ImportListQuery,
  ImportResultView,
  ImportView,
} from './dto/import.dto.js';
import { EnterpriseExportService } from './enterprise-export.service.js';
import { ImportsService } from './imports.service.js';

@ApiTags('import and export')
@Controller()
export class ImportsController {
  constructor(
    private readonly imports: ImportsService,
    private readonly exports: EnterpriseExportService,
  ) {}

  @Post('enterprises/import')
  @Requires('enterprises:write')
  @UseGuards(MultipartForm)
  @ApiOperation({
    summary: 'Import enterprises from a spreadsheet (批量导入): create new credit codes, update known ones',
    description:
      'multipart/form-data with the file in `file`. Rows are matched by credit code and validated as ' +
      '`POST /enterprises` / `PATCH /enterprises/:id` would validate them; an empty cell leaves a field as ' +
      'it is. A real import writes every valid row in one transaction and skips the rest (201); ' +
      '`?dryRun=true` reports the same without writing (200). `row` in `errors` is the row as the ' +
      'spreadsheet shows it (header = 1). Undo with `POST /imports/:id/revert`.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: ImportForm })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiStandardErrors()
  @ApiOkResponse({ type: ImportResultView, description: 'Dry run: what would happen' })
  @ApiCreatedResponse({ type: ImportResultView, description: 'Imported; undo with POST /imports/:id/revert' })
  @ApiProblem(409, 'A credit code in the file was registered meanwhile; nothing imported')
  @ApiProblem(413, 'The file is over 40 MB or 100,000 rows')
  @ApiProblem(415, 'Not multipart/form-data')
  async import(
    @CurrentActor() actor: Actor,
    @Body() form: ImportForm,
    @Query() query: DryRunQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ImportResultView> {
    const result = await this.imports.importEnterprises(actor, form.file, query.dryRun === true);
    void reply.status(result.dryRun ? 200 : 201);
    return result;
  }

  @Get('enterprises/export')
  @Requires('enterprises:read')
  @ApiOperation({
    summary: 'Every enterprise matching the list filters, as .xlsx or .csv (streamed)',
    description:
      'Takes the filters and sort of `GET /enterprises`, without paging: the file holds every match. ' +
      'Chinese headers that `POST /enterprises/import` reads back. CSV is UTF-8 with a BOM; cells a ' +
      'spreadsheet would run as formulas start with an apostrophe.',
  })
  @ApiProduces('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/csv')
  @ApiStandardErrors()
  @ApiOkResponse({
    description: 'The file, as an attachment',
    content: {
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
        schema: { type: 'string', format: 'binary' },
      },
      'text/csv': { schema: { type: 'string', format: 'binary' } },
    },
  })
  async export(@Query() query: EnterpriseExportQuery): Promise<StreamableFile> {
    const file = await this.exports.export(query);
    return new StreamableFile(file.stream, { type: file.type, disposition: file.disposition });
  }

  @Get('imports')
  @Requires('enterprises:read')
  @ApiOperation({ summary: 'Imports, newest first' })
  @ApiPage(ImportView)
  list(@Query() query: ImportListQuery) {
    return this.imports.list(query);
  }

  @Get('imports/:id')
  @Requires('enterprises:read')
  @ApiOperation({ summary: 'One import: who, when, counts, the rows it skipped, whether it was reverted' })
  @ApiOk(ImportView)
  get(@UuidParam() id: string) {
    return this.imports.get(id);
  }

  @Post('imports/:id/revert')
  @Requires('enterprises:write')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Undo an import: delete what it created, restore what it changed (one transaction)',
    description:
      'All or nothing. 409 when it was already reverted, or when an enterprise it wrote changed since ' +
      '(`changed` lists them: revert by hand, or edit them back first).',
  })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The ETag last seen; a stale one is a 412' })
  @ApiOk(ImportView)
  @ApiProblem(409, 'Already reverted, or enterprises changed since (`changed`)')
  @ApiProblem(412, 'If-Match is stale')
  revert(@CurrentActor() actor: Actor, @UuidParam() id: string, @IfMatch() ifMatch?: number) {
    return this.imports.revert(actor, id, ifMatch);
  }
}
