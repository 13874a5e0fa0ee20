// The one table of spreadsheet columns for enterprises: what the import accepts as a header
// and what the export writes, so an export re-imports as it is. Plain data and functions.
import {
  ENTERPRISE_STATUSES,
  ENTERPRISE_TIERS,
  TECH_DOMAIN_NAMES,
  TECH_DOMAINS,
  type EnterpriseStatus,
  type EnterpriseTier,
} from '../enterprises/enterprise.constants.js';

/** Fields an import may set: those of CreateEnterpriseDto. */
export const IMPORTED_FIELDS = [
  'name',
  'creditCode',
  'creditCodeConfirmed',
  'registeredAt',
  'street',
  'industry',
  'techDomain',
  'contactName',
  'contactEmail',
  'contactPhone',
  'officerId',
  'status',
  'tier',
  'remindersEnabled',
  'tags',
] as const;
export type ImportedField = (typeof IMPORTED_FIELDS)[number];

/** Columns the export adds for people to read; an import recognises and ignores them. */
export const READ_ONLY_FIELDS = [
  'id',
  'readinessVerdict',
  'readinessScoreMin',
  'readinessScoreMax',
  'version',
  'createdAt',
  'updatedAt',
] as const;
export type ReadOnlyField = (typeof READ_ONLY_FIELDS)[number];

type Column = ImportedField | ReadOnlyField;

/** Header of each column in an export (first) and every other header an import accepts. */
export const COLUMN_LABELS: Record<Column, readonly string[]> = {
  name: ['企业名称', '名称', '企业'],
  creditCode: ['统一社会信用代码', '信用代码', '社会信用代码'],
  creditCodeConfirmed: ['信用代码已确认', '校验位已确认'],
  registeredAt: ['注册日期', '成立日期', '注册时间', '成立时间'],
  street: ['所属街道', '街道', '街道/镇', '镇街'],
  industry: ['行业', '所属行业'],
  techDomain: ['技术领域', '领域'],
  contactName: ['联系人'],
  contactEmail: ['联系邮箱', '邮箱', '电子邮箱'],
  contactPhone: ['联系电话', '电话', '手机'],
  officerId: ['服务专员ID', '服务专员id'],
  status: ['状态', '培育状态'],
  tier: ['梯队', '层级', '培育梯队'],
  remindersEnabled: ['接收提醒', '提醒'],
  tags: ['标签'],
  id: ['ID', '编号'],
  readinessVerdict: ['认定就绪'],
  readinessScoreMin: ['创新评分下限'],
  readinessScoreMax: ['创新评分上限'],
  version: ['版本'],
  createdAt: ['创建时间'],
  updatedAt: ['更新时间'],
};

/** The order of columns in an export. */
export const EXPORT_COLUMNS: readonly Column[] = [...IMPORTED_FIELDS, ...READ_ONLY_FIELDS];

const keyOf = (header: string) =>
  header
    .normalize('NFKC')
    .replace(/[\s_*:：]/g, '')
    .toLowerCase();

const HEADER_INDEX = new Map<string, Column>();
for (const column of EXPORT_COLUMNS) {
  for (const header of [column, ...COLUMN_LABELS[column]]) HEADER_INDEX.set(keyOf(header), column);
}

/** The column a header names (API field name or Chinese label; case, spaces, `*` ignored). */
export function columnOf(header: string): Column | undefined {
  return HEADER_INDEX.get(keyOf(header));
}

export const isReadOnly = (column: Column): column is ReadOnlyField =>
  (READ_ONLY_FIELDS as readonly string[]).includes(column);

export const STATUS_LABELS: Record<EnterpriseStatus, string> = {
  prospect: '潜在',
  reserve: '后备',
  tracking: '挂号跟踪',
  applying: '申报中',
  certified: '已认定',
  lapsed: '已失效',
};

export const TIER_LABELS: Record<EnterpriseTier, string> = { priority: '重点', medium_term: '中长期' };

const VERDICT_LABELS: Record<string, string> = { ready: '具备条件', borderline: '接近', not_ready: '不具备' };

// Labels back to API values; the API values themselves are accepted too.
const reverse = (values: readonly string[], labels: Record<string, string>) =>
  new Map<string, string>([
    ...values.map((v) => [v, v] as [string, string]),
    ...Object.entries(labels).map(([v, label]) => [label, v] as [string, string]),
  ]);
const STATUS_VALUES = reverse(ENTERPRISE_STATUSES, STATUS_LABELS);
const TIER_VALUES = reverse(ENTERPRISE_TIERS, TIER_LABELS);
const DOMAIN_VALUES = reverse(TECH_DOMAINS, TECH_DOMAIN_NAMES);
const TRUE = new Set(['true', '是', 'yes', 'y', '1', '√', '✓']);
const FALSE = new Set(['false', '否', 'no', 'n', '0', '×']);

/** Separators people put between tags in one cell. */
const TAG_SEPARATORS = /[,，、;；]/;
/** What the export writes between tags. */
export const TAG_JOINER = '、';

/** A spreadsheet cell as text; an empty cell is undefined. */
export type CellText = string | undefined;

/**
 * Cell text → the value the API field would receive in JSON. Labels become API values, dates
 * written the Chinese way become YYYY-MM-DD; anything unrecognised is passed on unchanged so
 * the DTO's own validators report it with the API's message.
 */
export function fieldValue(field: ImportedField, text: string): unknown {
  switch (field) {
    case 'status':
      return STATUS_VALUES.get(text) ?? STATUS_VALUES.get(text.toLowerCase()) ?? text;
    case 'tier':
      return TIER_VALUES.get(text) ?? TIER_VALUES.get(text.toLowerCase()) ?? text;
    case 'techDomain':
      return DOMAIN_VALUES.get(text) ?? DOMAIN_VALUES.get(text.toLowerCase()) ?? text;
    case 'creditCodeConfirmed':
    case 'remindersEnabled': {
      const t = text.toLowerCase();
      return TRUE.has(t) ? true : FALSE.has(t) ? false : text;
    }
    case 'tags':
      return text
        .split(TAG_SEPARATORS)
        .map((t) => t.trim())
        .filter((t) => t !== '');
    case 'registeredAt':
      return calendarDateOf(text);
    default:
      return text;
  }
}

/** 2017/3/15, 2017.3.15, 2017年3月15日 → 2017-03-15; anything else unchanged. */
export function calendarDateOf(text: string): string {
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(text);
  if (!m) return text;
  return `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
}

/** An enterprise as the list SQL returns it (API field names). */
export type ExportedRow = Record<string, unknown>;

/** The text a cell of the export holds for one column of one enterprise. */
export function exportText(column: Column, row: ExportedRow): string {
  if (column === 'creditCodeConfirmed') return row.creditCodeWarning ? '是' : '';
  const value = row[column];
  if (value === null || value === undefined) return '';
  switch (column) {
    case 'status':
      return STATUS_LABELS[value as EnterpriseStatus] ?? String(value);
    case 'tier':
      return TIER_LABELS[value as EnterpriseTier] ?? String(value);
    case 'techDomain':
      return TECH_DOMAIN_NAMES[value as keyof typeof TECH_DOMAIN_NAMES] ?? String(value);
    case 'readinessVerdict':
      return VERDICT_LABELS[String(value)] ?? String(value);
    case 'remindersEnabled':
      return value ? '是' : '否';
    case 'tags':
      return (value as string[]).join(TAG_JOINER);
    default:
      return String(value);
  }
}

/** The export's header row: each column's first Chinese label. */
export const exportHeaders = (): string[] => EXPORT_COLUMNS.map((c) => COLUMN_LABELS[c][0]);
