import { calendarDateOf, columnOf, exportHeaders, fieldValue } from './columns.js';
import { columnLetter } from './import-plan.js';
import { cellText, csvLine, decodeText, formatOf, parseCsv, xlsxCellText } from './spreadsheet.js';

describe('parseCsv (RFC 4180)', () => {
  it.each<[string, string[][]]>([
    [
      'a,b\r\nc,d\r\n',
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
    ],
    [
      'a,b\nc,d',
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
    ],
    [
      'a,b\rc,d\r',
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
    ],
    ['"a,1","b ""q"""\r\n', [['a,1', 'b "q"']]],
    ['"two\r\nlines",x\r\n', [['two\r\nlines', 'x']]],
    [',,\r\n', [['', '', '']]],
    ['\ufeffname\r\n', [['name']]],
    ['', []],
  ])('%j', (text, records) => {
    expect(parseCsv(text)).toEqual(records);
  });

  it('refuses a quote that never closes, naming its row', () => {
    expect(() => parseCsv('a\r\nb\r\n"c,d\r\n')).toThrow(/row 3/);
  });
});

describe('csvLine', () => {
  it.each<[string[], string]>([
    [['a', 'b'], 'a,b\r\n'],
    [['a,b', 'c"d'], '"a,b","c""d"\r\n'],
    [['=1+1', '+86 533', '-5', '@x', 'a=b'], "'=1+1,'+86 533,'-5,'@x,a=b\r\n"],
    [['=HYPERLINK("x")'], `"'=HYPERLINK(""x"")"\r\n`],
    [['line\nbreak', ' padded '], '"line\nbreak"," padded "\r\n'],
  ])('%j', (cells, line) => {
    expect(csvLine(cells)).toBe(line);
  });

  it('round-trips through parseCsv and cellText', () => {
    const cells = ['淄博"甲", 公司', '=cmd', '-', 'plain'];
    expect(parseCsv(csvLine(cells))[0].map(cellText)).toEqual(cells);
  });
});

describe('decodeText', () => {
  it('reads UTF-8 with and without a BOM, and GBK otherwise', () => {
    expect(decodeText(Buffer.from('企业名称', 'utf8'))).toBe('企业名称');
    expect(decodeText(Buffer.from('\ufeff企业', 'utf8'))).toBe('企业');
    // 名称 in GBK
    expect(decodeText(Buffer.from([0xc3, 0xfb, 0xb3, 0xc6]))).toBe('名称');
  });
});

describe('formatOf', () => {
  it('goes by the bytes first, then the name', () => {
    expect(formatOf('x.csv', Buffer.from('PK\u0003\u0004'))).toBe('xlsx');
    expect(formatOf('x.CSV', Buffer.from('a,b'))).toBe('csv');
    expect(() => formatOf('x.xlsx', Buffer.from('a,b'))).toThrow();
    expect(() => formatOf('x.xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0]))).toThrow(/old .xls/);
    expect(() => formatOf('x.pdf', Buffer.from('%PDF'))).toThrow();
  });
});

describe('cells', () => {
  it.each<[unknown, string | undefined]>([
    [new Date(Date.UTC(2017, 2, 15)), '2017-03-15'],
    [13800138000, '13800138000'],
    [true, 'true'],
    ['  x ', 'x'],
    ['   ', undefined],
    [null, undefined],
    [{ richText: [{ text: '淄博' }, { text: '公司' }] }, '淄博公司'],
    [{ text: 'a@b.cn', hyperlink: 'mailto:a@b.cn' }, 'a@b.cn'],
    [{ formula: 'A1', result: 7 }, '7'],
    [{ error: '#N/A' }, '#N/A'],
  ])('%j → %j', (value, text) => {
    expect(xlsxCellText(value)).toBe(text);
  });
});

describe('columns', () => {
  it('knows API names and Chinese labels, case and spaces aside', () => {
    expect(columnOf('企业名称')).toBe('name');
    expect(columnOf(' 统一社会信用代码* ')).toBe('creditCode');
    expect(columnOf('CreditCode')).toBe('creditCode');
    expect(columnOf('成立日期')).toBe('registeredAt');
    expect(columnOf('注册资本')).toBeUndefined();
    // Every export header reads back as its own column.
    for (const header of exportHeaders()) expect(columnOf(header)).toBeDefined();
  });

  it('turns labels into API values and leaves the unknown for the DTO to refuse', () => {
    expect(fieldValue('status', '挂号跟踪')).toBe('tracking');
    expect(fieldValue('tier', '中长期')).toBe('medium_term');
    expect(fieldValue('techDomain', '先进制造与自动化')).toBe('advanced_manufacturing');
    expect(fieldValue('techDomain', '量子')).toBe('量子');
    expect(fieldValue('remindersEnabled', '否')).toBe(false);
    expect(fieldValue('tags', '甲、乙，丙; ')).toEqual(['甲', '乙', '丙']);
  });

  it.each([
    ['2017/3/5', '2017-03-05'],
    ['2017.03.15', '2017-03-15'],
    ['2017年3月15日', '2017-03-15'],
    ['2017-03-15', '2017-03-15'],
    ['15/03/2017', '15/03/2017'],
  ])('date %s → %s', (text, date) => {
    expect(calendarDateOf(text)).toBe(date);
  });

  it.each([
    [0, 'A'],
    [25, 'Z'],
    [26, 'AA'],
    [701, 'ZZ'],
    [702, 'AAA'],
  ])('column %i is %s', (i, letter) => {
    expect(columnLetter(i)).toBe(letter);
  });
});
