import {
  allowedDemandMoves,
  isPeriod,
  normaliseTitle,
  periodDays,
  periodOf,
  possibleDuplicates,
  previousPeriod,
  titleSimilarity,
} from './demand.rules.js';

describe('demand rules', () => {
  describe('near-duplicate titles', () => {
    it.each([
      ['  高温合金焊接工艺难题 ', '高温合金焊接工艺难题'],
      ['ＰＬＣ控制系统　改造', 'plc控制系统改造'],
      ['陶瓷釉料配方（第二版）！', '陶瓷釉料配方第二版'],
      ['AI-视觉 检测，方案？', 'ai视觉检测方案'],
      ['“泵体”铸造：砂眼问题', '泵体铸造砂眼问题'],
    ])('normalises %j to %j', (title, expected) => {
      expect(normaliseTitle(title)).toBe(expected);
    });

    it.each([
      // Same words, full-width and punctuation aside.
      ['耐火材料高温抗折强度不足', '耐火材料高温抗折强度不足！', 1],
      ['ＰＬＣ控制系统改造', 'plc 控制系统改造', 1],
      // One character more or less in a long title stays above the bar.
      ['关于高温合金材料焊接工艺的难题', '关于高温合金材料焊接工艺难题', 0.88],
    ])('%j and %j are near-duplicates (≈ %d)', (a, b, about) => {
      const s = titleSimilarity(a, b);
      expect(s).toBeGreaterThanOrEqual(0.8);
      expect(s).toBeCloseTo(about, 1);
      expect(titleSimilarity(b, a)).toBe(s);
    });

    it.each([
      ['耐火材料高温抗折强度不足', '招聘机械设计工程师'],
      ['陶瓷釉料配方优化', '陶瓷窑炉节能改造'],
      // Short titles differ by a character and share little.
      ['电机', '电池'],
      ['', '电池'],
      ['！！', '？？'],
    ])('%j and %j are not', (a, b) => {
      expect(titleSimilarity(a, b)).toBeLessThan(0.8);
    });

    it('the bar is 0.8 inclusive: 4 of 5 bigrams shared on each side', () => {
      // bigrams: 阀门 门密 密封 封件 件泄 / 阀门 门密 密封 封件 件漏 → 2·4/10 = 0.8
      expect(titleSimilarity('阀门密封件泄', '阀门密封件漏')).toBe(0.8);
      expect(possibleDuplicates('阀门密封件泄', [{ id: 'a', title: '阀门密封件漏' }])).toEqual(['a']);
      // 2·3/8 = 0.75
      expect(titleSimilarity('阀门密封泄', '阀门密封漏')).toBe(0.75);
      expect(possibleDuplicates('阀门密封泄', [{ id: 'a', title: '阀门密封漏' }])).toEqual([]);
    });

    it('counts repeated bigrams once each (multisets)', () => {
      expect(titleSimilarity('哈哈哈哈', '哈哈')).toBeCloseTo((2 * 1) / (3 + 1));
    });

    it('lists every near-duplicate among the others, in their order', () => {
      const others = [
        { id: '1', title: '高温合金焊接工艺难题' },
        { id: '2', title: '招聘焊接技师' },
        { id: '3', title: '高温合金焊接工艺难题。' },
      ];
      expect(possibleDuplicates('高温合金焊接工艺难题', others)).toEqual(['1', '3']);
    });
  });

  describe('half-year periods', () => {
    it.each([
      ['2022-01-01', '2022H1'],
      ['2022-06-30', '2022H1'],
      ['2022-07-01', '2022H2'],
      ['2022-12-31', '2022H2'],
    ])('%s is in %s', (date, period) => {
      expect(periodOf(date)).toBe(period);
    });

    it.each([
      ['2022H1', '2021H2'],
      ['2022H2', '2022H1'],
      ['2000H1', '1999H2'],
    ])('before %s comes %s', (period, previous) => {
      expect(previousPeriod(period)).toBe(previous);
    });

    it('knows the first and last day of each half', () => {
      expect(periodDays('2022H1')).toEqual({ first: '2022-01-01', last: '2022-06-30' });
      expect(periodDays('2022H2')).toEqual({ first: '2022-07-01', last: '2022-12-31' });
    });

    it.each([
      ['2022H1', true],
      ['2022H2', true],
      ['1990H1', true],
      ['2100H2', true],
      ['1989H2', false],
      ['2101H1', false],
      ['2022H3', false],
      ['2022h1', false],
      ['22H1', false],
      ['2022-H1', false],
      [' 2022H1', false],
      [2022, false],
    ])('%j is a period: %s', (value, ok) => {
      expect(isPeriod(value)).toBe(ok);
    });
  });

  describe('status moves', () => {
    it.each([
      ['open', ['matched', 'closed']],
      ['matched', ['resolved', 'closed']],
      ['resolved', []],
      ['closed', []],
    ] as const)('from %s: %j', (from, allowed) => {
      expect(allowedDemandMoves(from)).toEqual(allowed);
    });
  });
});
