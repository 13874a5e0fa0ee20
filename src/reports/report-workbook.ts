// The reports as .xlsx workbooks for the bureau's desk: Chinese headers, widths, number and date
// formats, a frozen header row. Values in, a Buffer out: no Nest, no database.
import ExcelJS from 'exceljs';
import type { DemandView } from '../demands/dto/demand.dto.js';
import { TECH_DOMAIN_NAMES, type TechDomain } from '../enterprises/enterprise.constants.js';
import { TOTAL_KEYS, UNKNOWN, type Totals } from './demand-report.js';
import { METRICS, OVERVIEW_METRICS, type MetricFigure, type OverviewMetric } from './overview-metrics.js';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const KIND_NAMES: Record<string, string> = { tech_problem: '技术难题', talent_need: '人才需求' };
const STATUS_NAMES: Record<string, string> = {
  open: '待对接',
  matched: '已对接',
  resolved: '已解决',
  closed: '已关闭',
};
const URGENCY_NAMES: Record<string, string> = { low: '低', normal: '一般', high: '紧急' };
const DIMENSION_NAMES: Record<(typeof TOTAL_KEYS)[number], string> = {
  byKind: '需求类型',
  byStatus: '对接状态',
  byDomain: '技术领域',
  byStreet: '所属街道',
};

function valueName(dimension: (typeof TOTAL_KEYS)[number], value: string): string {
  if (value === UNKNOWN) return '未填写';
  if (dimension === 'byKind') return KIND_NAMES[value] ?? value;
  if (dimension === 'byStatus') return STATUS_NAMES[value] ?? value;
  if (dimension === 'byDomain') return TECH_DOMAIN_NAMES[value as TechDomain] ?? value;
  return value;
}

export interface DemandReportForWorkbook {
  period: string;
  frozenAt: string | null;
  totals: Totals;
  previous: { period: string; totals: Totals };
  items: DemandView[];
}

/** A calendar day as Excel keeps dates: that day's midnight, with no zone. */
function excelDate(instant: string, timeZone: string): Date {
  const day = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(instant));
  return new Date(`${day}T00:00:00Z`);
}

function header(
  sheet: ExcelJS.Worksheet,
  columns: { header: string; key: string; width: number; numFmt?: string }[],
) {
  sheet.columns = columns.map((c) => ({
    header: c.header,
    key: c.key,
    width: c.width,
    style: c.numFmt ? { numFmt: c.numFmt } : {},
  }));
  const row = sheet.getRow(1);
  row.font = { bold: true };
  row.alignment = { vertical: 'middle' };
  row.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF7' } };
  // Scrolling keeps the header in view.
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
}

/** 汇总 (counts for this period, the previous one and the change) and 明细 (one row per demand). */
export async function demandReportWorkbook(
  report: DemandReportForWorkbook,
  timeZone: string,
): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'Peiyu';
  book.title = `企业需求半年报 ${report.period}`;

  const summary = book.addWorksheet('汇总');
  header(summary, [
    { header: '统计维度', key: 'dimension', width: 12 },
    { header: '项目', key: 'value', width: 22 },
    { header: `本期（${report.period}）`, key: 'current', width: 16, numFmt: '0' },
    { header: `上期（${report.previous.period}）`, key: 'previous', width: 16, numFmt: '0' },
    { header: '增减', key: 'change', width: 10, numFmt: '+0;-0;0' },
  ]);
  for (const dimension of TOTAL_KEYS) {
    for (const [value, current] of Object.entries(report.totals[dimension])) {
      const previous = report.previous.totals[dimension][value] ?? 0;
      summary.addRow({
        dimension: DIMENSION_NAMES[dimension],
        value: valueName(dimension, value),
        current,
        previous,
        change: current - previous,
      });
    }
  }
  const total = report.items.length;
  const previousTotal = Object.values(report.previous.totals.byKind).reduce((a, b) => a + b, 0);
  const sum = summary.addRow({
    dimension: '合计',
    value: '',
    current: total,
    previous: previousTotal,
    change: total - previousTotal,
  });
  sum.font = { bold: true };
  if (report.frozenAt) summary.addRow({ dimension: `定稿于 ${report.frozenAt}` });

  const detail = book.addWorksheet('明细');
  header(detail, [
    { header: '企业名称', key: 'enterpriseName', width: 32 },
    { header: '所属街道', key: 'street', width: 12 },
    { header: '需求类型', key: 'kind', width: 10 },
    { header: '需求标题', key: 'title', width: 36 },
    { header: '需求描述', key: 'description', width: 48 },
    { header: '技术领域', key: 'techDomain', width: 16 },
    { header: '需求人数', key: 'headcount', width: 10, numFmt: '0' },
    { header: '人才要求', key: 'talentProfile', width: 32 },
    { header: '紧急程度', key: 'urgency', width: 10 },
    { header: '所属期间', key: 'period', width: 10 },
    { header: '对接状态', key: 'status', width: 10 },
    { header: '对接单位', key: 'partner', width: 24 },
    { header: '登记日期', key: 'createdAt', width: 12, numFmt: 'yyyy-mm-dd' },
    { header: '更新日期', key: 'updatedAt', width: 12, numFmt: 'yyyy-mm-dd' },
  ]);
  for (const d of report.items) {
    detail.addRow({
      enterpriseName: d.enterpriseName,
      street: d.street ?? '',
      kind: KIND_NAMES[d.kind] ?? d.kind,
      title: d.title,
      description: d.description ?? '',
      techDomain: d.techDomain ? TECH_DOMAIN_NAMES[d.techDomain] : '',
      headcount: d.headcount ?? null,
      talentProfile: d.talentProfile ?? '',
      urgency: URGENCY_NAMES[d.urgency] ?? d.urgency,
      period: d.period,
      status: STATUS_NAMES[d.status] ?? d.status,
      partner: d.partner ?? '',
      createdAt: excelDate(d.createdAt, timeZone),
      updatedAt: excelDate(d.updatedAt, timeZone),
    });
  }
  if (report.items.length > 0) detail.autoFilter = { from: 'A1', to: { row: 1, column: 14 } };
  return Buffer.from(await book.xlsx.writeBuffer());
}

export interface OverviewForWorkbook {
  year: number;
  asOf: string;
  metrics: Record<OverviewMetric, MetricFigure>;
}

/** 概览: one row per figure with last year, the change, the target and how far it is reached. */
export async function overviewWorkbook(overview: OverviewForWorkbook): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'Peiyu';
  book.title = `全区统计概览 ${overview.year}`;
  const sheet = book.addWorksheet('概览');
  header(sheet, [
    { header: '指标', key: 'label', width: 20 },
    { header: '代码', key: 'name', width: 20 },
    { header: `${overview.year}年`, key: 'value', width: 10, numFmt: '0' },
    { header: `${overview.year - 1}年`, key: 'previous', width: 10, numFmt: '0' },
    { header: '同比（%）', key: 'changePct', width: 11, numFmt: '0.0' },
    { header: '目标', key: 'target', width: 10, numFmt: '0' },
    { header: '完成率（%）', key: 'progressPct', width: 12, numFmt: '0.0' },
    { header: '统计口径', key: 'counts', width: 70 },
  ]);
  for (const name of OVERVIEW_METRICS) {
    const f = overview.metrics[name];
    sheet.addRow({ label: METRICS[name].label, name, ...f, counts: METRICS[name].counts });
  }
  sheet.addRow({ label: `截至 ${overview.asOf}` });
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** `attachment` with an ASCII name and the Chinese one as RFC 5987 `filename*`. */
export function attachment(asciiName: string, chineseName: string): string {
  return `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(chineseName)}`;
}
