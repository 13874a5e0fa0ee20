// Deterministic, realistic Boshan (博山区, 淄博) enterprises for `npm run seed` and the benchmarks.
// The same seed gives the same rows on every machine and Node version: only sfc32 and integer
// arithmetic decide them, never Math.random or the local time zone.

import { CREDIT_CODE_CHARSET, creditCodeCheckCharacter } from './credit-code.js';
import {
  BOSHAN_STREETS,
  ENTERPRISE_STATUSES,
  ENTERPRISE_TIERS,
  TECH_DOMAINS,
  type EnterpriseStatus,
  type EnterpriseTier,
  type TechDomain,
} from './enterprise.constants.js';

/** The benchmark baseline's seed, so both sides can be seeded from the same number. */
export const DEFAULT_DEMO_SEED = 20240601;

/** Boshan's region code (淄博市博山区) in positions 3–8, after 9 (工商) and 1 (企业). */
export const BOSHAN_CREDIT_CODE_PREFIX = '91370304';

export interface DemoRng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
}

/** sfc32: small, fast and good enough for test data. */
class Sfc32 implements DemoRng {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;

  constructor(seed: number, stream: number) {
    this.a = seed >>> 0;
    this.b = stream >>> 0;
    this.c = (0xb7e15162 ^ Math.floor(stream / 0x1_0000_0000)) >>> 0;
    // Nearby seeds start nearly identical; these rounds spread them apart.
    for (let i = 0; i < 15; i++) this.next();
  }

  next(): number {
    let t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 0x1_0000_0000;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}

/**
 * A generator for one seed. `stream` selects an independent sequence under the same seed:
 * {@link demoEnterprises} uses the row index, so any row can be produced on its own.
 */
export function createDemoRng(seed: number = DEFAULT_DEMO_SEED, stream = 0): DemoRng {
  return new Sfc32(seed, stream);
}

/** Draws from fixed weights; the cumulative table is built once, not per draw. */
class Weighted<T> {
  private readonly values: T[];
  private readonly cumulative: number[];
  private readonly total: number;

  constructor(pairs: ReadonlyArray<readonly [T, number]>) {
    this.values = pairs.map(([value]) => value);
    let sum = 0;
    this.cumulative = pairs.map(([, weight]) => (sum += weight));
    this.total = sum;
  }

  draw(rng: DemoRng): T {
    const r = rng.next() * this.total;
    for (let i = 0; i < this.cumulative.length; i++) if (r < this.cumulative[i]) return this.values[i];
    return this.values[this.values.length - 1];
  }
}

/** The ladder as the bureau's registry holds it: many prospects, few lapsed. */
export const DEMO_STATUS_WEIGHTS: Readonly<Record<EnterpriseStatus, number>> = {
  prospect: 30,
  reserve: 25,
  tracking: 20,
  applying: 10,
  certified: 12,
  lapsed: 3,
};
const STATUS = new Weighted(ENTERPRISE_STATUSES.map((s) => [s, DEMO_STATUS_WEIGHTS[s]] as const));

const TIER_WEIGHTS: Record<EnterpriseTier, number> = { priority: 35, medium_term: 65 };
const TIER = new Weighted(ENTERPRISE_TIERS.map((t) => [t, TIER_WEIGHTS[t]] as const));

// Latest registration year by status: an HNTE applicant must have been registered for a
// year, and a lapsed certificate ran for three years after one was issued.
const LATEST_REGISTRATION_YEAR: Record<EnterpriseStatus, number> = {
  prospect: 2024,
  reserve: 2024,
  tracking: 2024,
  applying: 2023,
  certified: 2022,
  lapsed: 2020,
};

/**
 * A line of business with the 行业 (GB/T 4754) and tech domains a firm so named plausibly
 * has, so that name, industry and domain agree in demos and filters return sensible sets.
 */
interface Line {
  readonly name: string;
  readonly industries: readonly string[];
  readonly domains: readonly TechDomain[];
}
const line = (name: string, industries: string[], domains: TechDomain[]): Line => ({
  name,
  industries,
  domains,
});

// Weighted towards Boshan's real mix: ceramics, refractories, pumps and machinery.
// prettier-ignore
const LINES = new Weighted<Line>([
  [line('科技', ['科学研究和技术服务业', '专用设备制造业', '软件和信息技术服务业'], ['electronic_information', 'advanced_manufacturing', 'high_tech_services']), 8],
  [line('新材料', ['非金属矿物制品业', '化学原料和化学制品制造业', '金属制品业'], ['new_materials']), 8],
  [line('机械', ['通用设备制造业', '专用设备制造业'], ['advanced_manufacturing']), 8],
  [line('陶瓷', ['陶瓷制品制造', '非金属矿物制品业'], ['new_materials']), 6],
  [line('化工', ['化学原料和化学制品制造业'], ['new_materials', 'resources_environment']), 5],
  [line('电子', ['计算机、通信和其他电子设备制造业'], ['electronic_information']), 4],
  [line('环保科技', ['生态保护和环境治理业', '专用设备制造业'], ['resources_environment']), 4],
  [line('生物科技', ['医药制造业', '科学研究和技术服务业'], ['biomedicine']), 3],
  [line('医药', ['医药制造业'], ['biomedicine']), 2],
  [line('耐火材料', ['耐火材料制品制造', '非金属矿物制品业'], ['new_materials']), 4],
  [line('泵业', ['泵及真空设备制造', '通用设备制造业'], ['advanced_manufacturing', 'new_energy']), 4],
  [line('智能装备', ['专用设备制造业', '通用设备制造业'], ['advanced_manufacturing']), 3],
  [line('新能源', ['电气机械和器材制造业'], ['new_energy']), 3],
  [line('信息技术', ['软件和信息技术服务业'], ['electronic_information', 'high_tech_services']), 3],
  [line('精密铸造', ['金属制品业', '汽车制造业'], ['advanced_manufacturing', 'aerospace', 'new_materials']), 3],
  [line('琉璃工艺', ['玻璃制品制造', '工艺美术及礼仪用品制造'], ['new_materials']), 2],
  [line('电机', ['电气机械和器材制造业'], ['advanced_manufacturing', 'new_energy']), 2],
  [line('自动化设备', ['专用设备制造业'], ['advanced_manufacturing']), 2],
  [line('玻璃制品', ['玻璃制品制造'], ['new_materials']), 2],
  [line('节能科技', ['科学研究和技术服务业', '通用设备制造业'], ['new_energy']), 2],
  [line('检测技术', ['科学研究和技术服务业'], ['high_tech_services']), 1],
  [line('软件', ['软件和信息技术服务业'], ['electronic_information']), 1],
  [line('特种材料', ['非金属矿物制品业', '金属制品业'], ['new_materials', 'aerospace']), 2],
  [line('铝业', ['有色金属冶炼和压延加工业'], ['new_materials']), 1],
  [line('机电', ['电气机械和器材制造业', '通用设备制造业'], ['advanced_manufacturing']), 2],
]);

// Two-character brands give ~2,500 combinations, so names mostly differ but do repeat, as
// the names of different firms across one district's history do.
const BRAND_FIRST = [
  ...'鑫恒华泰金博宏瑞新东齐盛永中天海宝国德汇隆丰源昌信和嘉润康光明兴远伟凯达诚祥乾富安锦荣通佳万顺',
];
const BRAND_SECOND = [...'源达鲁和晶汇丰岳盛安成川山瓷泰华宇辉创鑫腾越亿通利科隆盈程恒美翔诺旺祥业峰阳'];
const SUFFIX = new Weighted([
  ['有限公司', 80],
  ['股份有限公司', 12],
  ['有限责任公司', 8],
] as const);

// Pinyin travels with each character so e-mail addresses match the contact's name.
// prettier-ignore
const SURNAMES: ReadonlyArray<readonly [string, string]> = [
  ['王', 'wang'], ['李', 'li'], ['张', 'zhang'], ['刘', 'liu'], ['陈', 'chen'], ['杨', 'yang'],
  ['赵', 'zhao'], ['孙', 'sun'], ['周', 'zhou'], ['吴', 'wu'], ['徐', 'xu'], ['高', 'gao'],
  ['马', 'ma'], ['郭', 'guo'], ['翟', 'zhai'], ['毕', 'bi'], ['韩', 'han'], ['孟', 'meng'],
  ['董', 'dong'], ['宋', 'song'], ['于', 'yu'], ['崔', 'cui'], ['路', 'lu'], ['蒋', 'jiang'],
];
// prettier-ignore
const GIVEN: ReadonlyArray<readonly [string, string]> = [
  ['伟', 'wei'], ['芳', 'fang'], ['娜', 'na'], ['敏', 'min'], ['静', 'jing'], ['丽', 'li'],
  ['强', 'qiang'], ['磊', 'lei'], ['军', 'jun'], ['洋', 'yang'], ['勇', 'yong'], ['艳', 'yan'],
  ['杰', 'jie'], ['娟', 'juan'], ['涛', 'tao'], ['明', 'ming'], ['超', 'chao'], ['秀', 'xiu'],
  ['霞', 'xia'], ['平', 'ping'], ['刚', 'gang'], ['桂', 'gui'], ['英', 'ying'], ['华', 'hua'],
  ['建', 'jian'], ['国', 'guo'], ['志', 'zhi'], ['红', 'hong'], ['玉', 'yu'], ['兰', 'lan'],
  ['海', 'hai'], ['燕', 'yan'], ['晓', 'xiao'], ['峰', 'feng'], ['鹏', 'peng'], ['飞', 'fei'],
  ['婷', 'ting'], ['浩', 'hao'], ['宇', 'yu'], ['博', 'bo'],
];
// Only domains RFC 2606 reserves: the reminder mailer must never reach a real inbox from
// demo data. (example.cn is not reserved; someone could own it.)
const EMAIL_DOMAINS = ['example.com', 'example.net', 'example.org'];
const MOBILE_PREFIXES = ['133', '138', '139', '150', '151', '153', '158', '177', '186', '187'];

export const DEMO_TAGS = [
  '专精特新',
  '瞪羚企业',
  '规上企业',
  '省级研发平台',
  '出口企业',
  '小巨人',
  '孵化器在孵',
  '产学研合作',
  '首台套',
  '陶琉特色',
] as const;
const TAG_COUNT = new Weighted([
  [0, 45],
  [1, 35],
  [2, 15],
  [3, 5],
] as const);

const TECH_DOMAIN_UNSET = 0.08;
// A firm's certified domain does not always follow its name.
const TECH_DOMAIN_ANY = 0.07;
const OFFICER_ASSIGNED = 0.6;

export interface DemoEnterprise {
  name: string;
  creditCode: string;
  /** YYYY-MM-DD, 1995-01-01 to 2024-12-31. */
  registeredAt: string;
  street: (typeof BOSHAN_STREETS)[number];
  industry: string;
  techDomain: TechDomain | null;
  contactName: string;
  contactEmail: string;
  contactPhone: string;
  officerId: string | null;
  status: EnterpriseStatus;
  tier: EnterpriseTier | null;
  remindersEnabled: boolean;
  tags: string[];
}

// --- Organisation codes (positions 9–17) ---------------------------------------------------
// Each is a bijection of the row index, so codes are unique across a run, and across runs
// with disjoint index ranges, without a set of used codes. The benchmark's load generator
// creates codes whose organisation code starts with "L"; these start with "M" or a digit.

// Multiplication modulo m < 2^35 without leaving exact doubles: split x at 2^18 so that every
// partial product stays below 2^53.
function mulMod(a: number, x: number, m: number): number {
  const high = Math.floor(x / 0x40000);
  const low = x % 0x40000;
  return (((((a * high) % m) * 0x40000) % m) + a * low) % m;
}

/**
 * Reverses the digits of `x` in the mixed radix `radices` (most significant first): a bijection
 * onto the same range, which moves the fast-changing low digits of consecutive rows to the top.
 */
function reverseDigits(x: number, radices: readonly number[]): number {
  let r = 0;
  for (let i = radices.length - 1; i >= 0; i--) {
    r = r * radices[i] + (x % radices[i]);
    x = Math.floor(x / radices[i]);
  }
  return r;
}

/** affine → reverse → affine → reverse → affine: each step a bijection, together well mixed. */
function scramble(
  index: number,
  capacity: number,
  radices: readonly number[],
  muls: readonly number[],
): number {
  let x = index;
  muls.forEach((mul, round) => {
    if (round > 0) x = reverseDigits(x, radices);
    x = (mulMod(mul, x, capacity) + 7_777_777 * (round + 1)) % capacity;
  });
  return x;
}

const MA_DIGITS = 7;
const MA_CAPACITY = 31 ** MA_DIGITS; // 27,512,614,111
const MA_RADICES = Array.from({ length: MA_DIGITS }, () => 31);
// Near capacity × (golden ratio − 1) and similar irrationals, so consecutive indices land far
// apart; none is a multiple of 31, so each is invertible modulo the capacity.
const MA_MULS = [17_003_837_569, 11_396_119_477, 21_977_553_313];

/** The form issued since October 2015: "MA" and seven characters. */
function maOrganisationCode(index: number): string {
  let x = scramble(index, MA_CAPACITY, MA_RADICES, MA_MULS);
  let s = '';
  for (let i = 0; i < MA_DIGITS; i++) {
    s = CREDIT_CODE_CHARSET[x % 31] + s;
    x = Math.floor(x / 31);
  }
  return 'MA' + s;
}

const OLD_CAPACITY = 90_000_000; // eight digits, the first 1–9
const OLD_RADICES = [9, 10, 10, 10, 10, 10, 10, 10];
// Prime to 2, 3 and 5, hence invertible modulo 90,000,000.
const OLD_MULS = [55_623_059, 37_279_223, 69_187_003];
const GB11714_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/**
 * The older form: the enterprise's 组织机构代码 (GB 11714), eight digits and its own check
 * character, carried over when the credit code was introduced.
 */
function oldOrganisationCode(index: number): string {
  const body = String(10_000_000 + scramble(index, OLD_CAPACITY, OLD_RADICES, OLD_MULS));
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (body.charCodeAt(i) - 48) * GB11714_WEIGHTS[i];
  const check = 11 - (sum % 11);
  return body + (check === 10 ? 'X' : check === 11 ? '0' : String(check));
}

/** A valid Boshan credit code, unique per index; `older` asks for the pre-2015 form. */
function boshanCreditCode(index: number, older: boolean): string {
  if (!Number.isSafeInteger(index) || index < 0 || index >= MA_CAPACITY) {
    throw new RangeError(`enterprise index must be an integer in [0, ${MA_CAPACITY}), got ${index}`);
  }
  const org = older && index < OLD_CAPACITY ? oldOrganisationCode(index) : maOrganisationCode(index);
  const first17 = BOSHAN_CREDIT_CODE_PREFIX + org;
  return first17 + creditCodeCheckCharacter(first17);
}

// --- Rows ------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;
const EARLIEST_REGISTRATION = Date.UTC(1995, 0, 1);
const MA_FORM_FROM = Date.UTC(2015, 9, 1);

function digits(rng: DemoRng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(rng.int(10));
  return s;
}

/**
 * One enterprise. The row's credit code comes from `index` (unique per index); everything
 * else from `rng`. `officerIds` only decides which officer: the number of draws is the same
 * with or without officers, so the rest of the row does not change with them.
 */
export function generateEnterprise(
  rng: DemoRng,
  index: number,
  officerIds: readonly string[],
): DemoEnterprise {
  const status = STATUS.draw(rng);
  const tier = status === 'reserve' || status === 'tracking' ? TIER.draw(rng) : null;

  // Skewed towards recent years, as registrations in the district are.
  const latest = Date.UTC(LATEST_REGISTRATION_YEAR[status], 11, 31);
  const days = Math.floor((latest - EARLIEST_REGISTRATION) / DAY_MS);
  const registered = latest - Math.floor(Math.pow(rng.next(), 1.6) * (days + 1)) * DAY_MS;
  const registeredAt = new Date(registered).toISOString().slice(0, 10);

  const business = LINES.draw(rng);
  const prefix = rng.next() < 0.85 ? '淄博' : '淄博博山';
  const name = prefix + rng.pick(BRAND_FIRST) + rng.pick(BRAND_SECOND) + business.name + SUFFIX.draw(rng);
  const industry = rng.pick(business.industries);

  const d = rng.next();
  const techDomain =
    d < TECH_DOMAIN_UNSET
      ? null
      : d < TECH_DOMAIN_UNSET + TECH_DOMAIN_ANY
        ? rng.pick(TECH_DOMAINS)
        : rng.pick(business.domains);

  const [surname, surnamePinyin] = rng.pick(SURNAMES);
  let [given, givenPinyin] = rng.pick(GIVEN);
  if (rng.next() < 0.6) {
    const [second, secondPinyin] = rng.pick(GIVEN);
    given += second;
    givenPinyin += secondPinyin;
  }
  const emailSuffix = rng.next() < 0.5 ? String(rng.int(10_000)) : '';
  const contactEmail = `${surnamePinyin}${givenPinyin}${emailSuffix}@${rng.pick(EMAIL_DOMAINS)}`;

  // Boshan landlines are 0533-4xxxxxx.
  const contactPhone =
    rng.next() < 0.8 ? rng.pick(MOBILE_PREFIXES) + digits(rng, 8) : '0533-4' + digits(rng, 6);

  const o = rng.next();
  const officerId =
    officerIds.length > 0 && o < OFFICER_ASSIGNED
      ? officerIds[Math.floor((o / OFFICER_ASSIGNED) * officerIds.length)]
      : null;

  // Partial Fisher–Yates rather than draw-until-new: a fixed number of draws, and no endless
  // loop if a caller's rng repeats itself.
  const tags: string[] = [...DEMO_TAGS];
  const tagCount = TAG_COUNT.draw(rng);
  for (let i = 0; i < tagCount; i++) {
    const j = i + rng.int(tags.length - i);
    [tags[i], tags[j]] = [tags[j], tags[i]];
  }
  tags.length = tagCount;

  return {
    name,
    creditCode: boshanCreditCode(index, registered < MA_FORM_FROM),
    registeredAt,
    street: rng.pick(BOSHAN_STREETS),
    industry,
    techDomain,
    contactName: surname + given,
    contactEmail,
    contactPhone,
    officerId,
    status,
    tier,
    remindersEnabled: true,
    tags,
  };
}

export interface DemoEnterpriseOptions {
  /** Defaults to {@link DEFAULT_DEMO_SEED}. */
  seed?: number;
  /** Officers to assign (~60% of rows get one); none when empty or absent. */
  officerIds?: readonly string[];
  /** Index of the first row. Row i is the same whatever the start, so a run can be extended. */
  startIndex?: number;
}

/**
 * Rows `startIndex` to `startIndex + count − 1` for one seed. Each row has its own stream,
 * so a run can be split into batches or resumed and still give the same rows and codes.
 */
export function* demoEnterprises(
  count: number,
  options: DemoEnterpriseOptions = {},
): Generator<DemoEnterprise, void, undefined> {
  const { seed = DEFAULT_DEMO_SEED, officerIds = [], startIndex = 0 } = options;
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`count must be a non-negative integer, got ${count}`);
  }
  if (!Number.isSafeInteger(startIndex) || startIndex < 0) {
    throw new RangeError(`startIndex must be a non-negative integer, got ${startIndex}`);
  }
  for (let i = startIndex; i < startIndex + count; i++) {
    yield generateEnterprise(createDemoRng(seed, i), i, officerIds);
  }
}
