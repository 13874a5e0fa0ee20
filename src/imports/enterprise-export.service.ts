import { PassThrough, Readable, type Writable } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import ExcelJS from 'exceljs';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { pgPool } from '../database/sql.js';
import type { EnterpriseView } from '../enterprises/dto/enterprise.dto.js';
import { enterpriseListQuery } from '../enterprises/enterprise-list.query.js';
import { EXPORT_COLUMNS, exportHeaders, exportText } from './columns.js';
import type { EnterpriseExportQuery, ExportFormat } from './dto/import.dto.js';
import { csvLine } from './spreadsheet.js';

/** Rows per keyset page read from PostgreSQL: what an export holds in memory at once. */
const BATCH = 2000;

export interface ExportFile {
  stream: Readable;
  type: string;
  /** Content-Disposition, with an ASCII name and the Chinese one as filename*. */
  disposition: string;
}

const TYPES: Record<ExportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};

/**
 * Every enterprise matching the list's filters, as a spreadsheet streamed while it is read:
 * keyset pages of the list's own SQL inside one REPEATABLE READ transaction (one consistent
 * snapshot, however long the download), written out page by page, so memory stays flat
 * whether 100 or 100,000 rows match.
 */
@Injectable()
export class EnterpriseExportService {
  private readonly logger = new Logger(EnterpriseExportService.name);
  private readonly pool: pg.Pool;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly clock: Clock,
  ) {
    this.pool = pgPool(dataSource);
  }

  async export(query: EnterpriseExportQuery): Promise<ExportFile> {
    const format = query.format ?? 'xlsx';
    const client = await this.pool.connect();
    let released = false;
    // Once, whether the download finished, failed or was abandoned by the client.
    const release = async (err?: Error) => {
      if (released) return;
      released = true;
      if (err) return client.release(err);
      try {
        await client.query('COMMIT');
        client.release();
      } catch (commitError) {
        client.release(commitError as Error);
      }
    };
    let first: EnterpriseView[];
    let next: string | undefined;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      // The first page before any header goes out: a failure here is still a proper problem+json.
      ({ rows: first, cursor: next } = await this.page(client, query, undefined));
    } catch (err) {
      await release(err as Error);
      throw err;
    }
    const pages = async function* (this: EnterpriseExportService): AsyncGenerator<EnterpriseView[]> {
      yield first;
      while (next) {
        const page = await this.page(client, query, next);
        next = page.cursor;
        yield page.rows;
      }
    }.call(this);

    const day = this.clock.today();
    const disposition = `attachment; filename="enterprises-${day}.${format}"; filename*=UTF-8''${encodeURIComponent(`企业名录-${day}.${format}`)}`;
    const stream = format === 'csv' ? csvStream(pages, release) : xlsxStream(pages, release, this.logger);
    return { stream, type: TYPES[format], disposition };
  }

  private async page(
    client: pg.PoolClient,
    query: EnterpriseExportQuery,
    cursor: string | undefined,
  ): Promise<{ rows: EnterpriseView[]; cursor: string | undefined }> {
    const { text, values, cursorOf } = enterpriseListQuery({ ...query, limit: BATCH, cursor });
    const { rows } = await client.query<EnterpriseView>(text, values);
    if (rows.length <= BATCH) return { rows, cursor: undefined };
    const kept = rows.slice(0, BATCH);
    return { rows: kept, cursor: cursorOf(kept[kept.length - 1]) };
  }
}

const cells = (row: EnterpriseView) =>
  EXPORT_COLUMNS.map((column) => exportText(column, row as unknown as Record<string, unknown>));

/** UTF-8 with a BOM (so Excel reads the Chinese right), RFC 4180, formula cells defused. */
function csvStream(
  pages: AsyncGenerator<EnterpriseView[]>,
  release: (err?: Error) => Promise<void>,
): Readable {
  async function* lines() {
    try {
      yield Buffer.from('\ufeff' + csvLine(exportHeaders()), 'utf8');
      for await (const rows of pages) yield Buffer.from(rows.map((r) => csvLine(cells(r))).join(''), 'utf8');
      await release();
    } catch (err) {
      await release(err as Error);
      throw err;
    } finally {
      // The client went away mid-download: give the connection back.
      await release();
    }
  }
  return Readable.from(lines(), { objectMode: false });
}

/**
 * exceljs's streaming writer without shared strings (they would pile up in memory until the
 * end); rows are committed as written and the producer waits while the response is behind.
 */
function xlsxStream(
  pages: AsyncGenerator<EnterpriseView[]>,
  release: (err?: Error) => Promise<void>,
  logger: Logger,
): Readable {
  const out = new PassThrough({ highWaterMark: 256 * 1024 });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useSharedStrings: false,
    useStyles: true,
  });
  const sheet = workbook.addWorksheet('企业名录', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = exportHeaders().map((header, i) => ({
    header,
    key: EXPORT_COLUMNS[i],
    width: EXPORT_COLUMNS[i] === 'name' ? 36 : EXPORT_COLUMNS[i] === 'id' ? 38 : 18,
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  const write = async () => {
    for await (const rows of pages) {
      if (out.destroyed) return; // the client went away
      for (const row of rows) sheet.addRow(cells(row)).commit();
      // exceljs writes the sheet's XML into the zip without heeding backpressure, so it piles up
      // (uncompressed) in front of the deflater unless we wait for that stream too.
      for (const stream of [...zipInputsOf(sheet), out]) {
        if (pending(stream) > stream.writableHighWaterMark) await drained(stream, out);
      }
    }
    if (out.destroyed) return;
    sheet.commit();
    await workbook.commit();
  };
  write().then(
    () => release(),
    async (err: Error) => {
      logger.error({ err }, 'Export failed mid-stream');
      await release(err);
      out.destroy(err);
    },
  );
  return out;
}

/** The streams exceljs pipes a worksheet's XML into (the zip entry's deflater). */
function zipInputsOf(sheet: ExcelJS.Worksheet): Writable[] {
  return (sheet as unknown as { stream?: { pipes?: Writable[] } }).stream?.pipes ?? [];
}

// exceljs's zip input is a readable-stream v3 PassThrough, which predates writableLength.
const pending = (stream: Writable) =>
  stream.writableLength ??
  (stream as unknown as { _writableState?: { length: number } })._writableState?.length ??
  0;

/** Waits for `stream` to catch up, or for the reader to go away (a closed stream never drains). */
function drained(stream: Writable, out: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      out.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    out.on('close', done);
  });
}
