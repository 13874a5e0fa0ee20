// Reading an uploaded spreadsheet (.xlsx or .csv) into rows of cell text, numbered as the
// spreadsheet shows them (the header is row 1). Writing CSV lines for the export.
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { Problem } from '../common/problem.js';

export interface SheetRow {
  /** The row number a spreadsheet program shows (1-based; the header's row for the header). */
  row: number;
  /** Trimmed text of each cell; undefined for an empty one. */
  cells: (string | undefined)[];
}

export interface Sheet {
  header: SheetRow;
  /** Rows after the header, blank rows left out (their numbers are skipped, as on screen). */
  rows: SheetRow[];
}

export interface SheetLimits {
  /** Data rows beyond this are refused as a whole (413), not silently cut. */
  maxRows: number;
}

const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]); // legacy .xls (BIFF in an OLE container)

export type SheetFormat = 'xlsx' | 'csv';

/** Which reader a file needs: by its first bytes where they are telling, else by its name. */
export function formatOf(filename: string, data: Buffer): SheetFormat {
  const head = data.subarray(0, 4);
  if (head.equals(OLE)) {
    throw Problem.field(
      'file',
      'is an old .xls workbook: save it as .xlsx or .csv (UTF-8 or GBK) and send it again',
    );
  }
  if (head.equals(ZIP)) return 'xlsx';
  const lower = filename.toLowerCase();
  if (lower.endsWith('.xlsx')) throw Problem.field('file', 'is named .xlsx but is not an Excel workbook');
  if (lower.endsWith('.csv') || lower.endsWith('.txt')) return 'csv';
  throw Problem.field('file', 'must be an .xlsx workbook or a .csv file');
}

export async function readSheet(filename: string, data: Buffer, limits: SheetLimits): Promise<Sheet> {
  if (data.length === 0) throw Problem.field('file', 'is empty');
  const rows = formatOf(filename, data) === 'xlsx' ? await xlsxRows(data, limits) : csvRows(data, limits);
  const [header, ...body] = rows;
  if (!header) throw Problem.field('file', 'has no header row');
  if (body.length === 0) throw Problem.field('file', 'has a header row but no data rows');
  return { header, rows: body };
}

// --- text ---------------------------------------------------------------------------------------

/**
 * UTF-8 (with or without a BOM) when the bytes are valid UTF-8; otherwise GB18030, a superset
 * of the GBK that Excel on Chinese Windows writes. Node's own TextDecoder knows both (full ICU).
 */
export function decodeText(data: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(data);
  } catch {
    return new TextDecoder('gb18030').decode(data);
  }
}

/** A cell as the bureau typed it: trimmed, the CSV export's anti-formula apostrophe taken off. */
export function cellText(raw: string): string | undefined {
  let text = raw.trim();
  if (/^'[=+\-@\t\r]/.test(text)) text = text.slice(1);
  return text === '' ? undefined : text;
}

const isBlank = (cells: (string | undefined)[]) => cells.every((c) => c === undefined);

function tooMany(limits: SheetLimits): Problem {
  return new Problem(
    413,
    'too-many-rows',
    `The file has more than ${limits.maxRows} data rows; split it and send the parts.`,
    {
      maxRows: limits.maxRows,
    },
  );
}

// --- CSV (RFC 4180) -----------------------------------------------------------------------------

/**
 * Records of a CSV text: quoted fields may hold commas, quotes ("") and line breaks; CRLF, LF
 * and CR all end a record. A quote left open is refused rather than guessed at.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  let recordStart = 1;
  while (i < n) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      i++;
    } else if (c === ',') {
      record.push(field);
      field = '';
      i++;
    } else if (c === '\r' || c === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      recordStart = records.length + 1;
    } else {
      field += c;
      i++;
    }
  }
  if (quoted) {
    throw Problem.field('file', `has a quoted field opened in row ${recordStart} that never closes`);
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

function csvRows(data: Buffer, limits: SheetLimits): SheetRow[] {
  const records = parseCsv(decodeText(data));
  const rows: SheetRow[] = [];
  records.forEach((record, i) => {
    const cells = record.map(cellText);
    if (isBlank(cells)) return;
    rows.push({ row: i + 1, cells });
    if (rows.length > limits.maxRows + 1) throw tooMany(limits);
  });
  return rows;
}

/** One CSV line (RFC 4180, CRLF) of cells; cells that a spreadsheet would run as a formula get a leading '. */
export function csvLine(cells: string[]): string {
  return (
    cells
      .map((cell) => {
        // OWASP: = + - @ (and tab, CR) start a formula in Excel and LibreOffice.
        const safe = /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
        return /[",\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
      })
      .join(',') + '\r\n'
  );
}

// --- xlsx ---------------------------------------------------------------------------------------

/** The text of an exceljs cell value: dates as YYYY-MM-DD, rich text joined, formulas by result. */
export function xlsxCellText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return undefined;
    return value.toISOString().slice(0, 10);
  }
  if (typeof value === 'string') return cellText(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object') {
    const v = value as {
      richText?: { text: string }[];
      text?: unknown;
      result?: unknown;
      error?: string;
    };
    if (Array.isArray(v.richText)) return cellText(v.richText.map((r) => r.text).join(''));
    if ('result' in v) return xlsxCellText(v.result);
    if (v.text !== undefined) return xlsxCellText(v.text);
    if (typeof v.error === 'string') return v.error;
  }
  return undefined;
}

/** The first worksheet, streamed: a 10 MB workbook never sits in memory as a whole model. */
async function xlsxRows(data: Buffer, limits: SheetLimits): Promise<SheetRow[]> {
  const rows: SheetRow[] = [];
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([data]), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    // Styles tell a date from a number.
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  let first = true;
  try {
    for await (const worksheet of reader) {
      for await (const row of worksheet) {
        if (!first) continue; // drained, not read: the bureau's data is on the first sheet
        const values = (row.values as unknown[]) ?? [];
        const cells: (string | undefined)[] = [];
        for (let c = 1; c < values.length; c++) cells.push(xlsxCellText(values[c]));
        if (isBlank(cells)) continue;
        rows.push({ row: row.number, cells });
        if (rows.length > limits.maxRows + 1) throw tooMany(limits);
      }
      first = false;
    }
  } catch (err) {
    if (err instanceof Problem) throw err;
    throw Problem.field(
      'file',
      'could not be read as an .xlsx workbook (damaged, or protected by a password?)',
    );
  }
  return rows;
}
