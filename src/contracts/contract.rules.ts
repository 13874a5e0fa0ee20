// Service contracts (科技服务合同) and service records (走访 / 服务记录): enums and the pure
// rules the service wires to storage. No Nest, no ORM, no clock.

export const CONTRACT_STATUSES = ['draft', 'active', 'completed', 'terminated'] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

export const CONTRACT_ITEM_STATUSES = ['pending', 'done', 'cancelled'] as const;
export type ContractItemStatus = (typeof CONTRACT_ITEM_STATUSES)[number];

export const SERVICE_RECORD_KINDS = ['visit', 'call', 'training', 'meeting'] as const;
export type ServiceRecordKind = (typeof SERVICE_RECORD_KINDS)[number];

/** Where a contract may go from each status; completed and terminated are final. */
export const CONTRACT_MOVES: Readonly<Record<ContractStatus, readonly ContractStatus[]>> = {
  draft: ['active', 'terminated'],
  active: ['completed', 'terminated'],
  completed: [],
  terminated: [],
};

/** The statuses reachable from `from`; staying put is not a move. */
export const allowedMoves = (from: ContractStatus): readonly ContractStatus[] => CONTRACT_MOVES[from];

export const canMove = (from: ContractStatus, to: ContractStatus): boolean =>
  from === to || CONTRACT_MOVES[from].includes(to);

export interface Progress {
  done: number;
  total: number;
  /** Whole percent, rounded down so 100 means every item is done; 0 when nothing counts. */
  percent: number;
}

/** Items done out of items that count: cancelled ones are left out of both. */
export function progressOf(items: readonly { status: ContractItemStatus }[]): Progress {
  const counted = items.filter((i) => i.status !== 'cancelled');
  const done = counted.filter((i) => i.status === 'done').length;
  const total = counted.length;
  return { done, total, percent: total === 0 ? 0 : Math.floor((done * 100) / total) };
}

/** numeric(14,2): twelve digits of yuan. */
export const CONTRACT_AMOUNT_MAX = 999_999_999_999.99;

export const sqlList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');
