// Vocabulary of the enterprise registry, shared by validation, storage and the rules.

/** Cultivation status of an enterprise on the bureau's ladder. */
export const ENTERPRISE_STATUSES = [
  'prospect',
  'reserve',
  'tracking',
  'applying',
  'certified',
  'lapsed',
] as const;
export type EnterpriseStatus = (typeof ENTERPRISE_STATUSES)[number];

/** Tier in the cultivation pool: 重点 priority / 中长期 medium-term. */
export const ENTERPRISE_TIERS = ['priority', 'medium_term'] as const;
export type EnterpriseTier = (typeof ENTERPRISE_TIERS)[number];

/** The eight supported domains of the 2016 HNTE catalogue (国家重点支持的高新技术领域). */
export const TECH_DOMAINS = [
  'electronic_information',
  'biomedicine',
  'aerospace',
  'new_materials',
  'high_tech_services',
  'new_energy',
  'resources_environment',
  'advanced_manufacturing',
] as const;
export type TechDomain = (typeof TECH_DOMAINS)[number];

export const TECH_DOMAIN_NAMES: Record<TechDomain, string> = {
  electronic_information: '电子信息',
  biomedicine: '生物与新医药',
  aerospace: '航空航天',
  new_materials: '新材料',
  high_tech_services: '高技术服务',
  new_energy: '新能源与节能',
  resources_environment: '资源与环境',
  advanced_manufacturing: '先进制造与自动化',
};

/** Boshan's streets and towns (街道 / 镇), the default district. */
export const BOSHAN_STREETS = [
  '山头街道',
  '城东街道',
  '城西街道',
  '域城镇',
  '白塔镇',
  '八陡镇',
  '石马镇',
  '池上镇',
  '博山镇',
  '源泉镇',
] as const;
