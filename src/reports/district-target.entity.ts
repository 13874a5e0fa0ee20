import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  PrimaryColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

/** The bureau's targets (年度目标) for one year's overview figures; null means no target. */
@Entity('district_targets')
@Check('district_targets_year_check', `year BETWEEN 1990 AND 2100`)
@Check(
  'district_targets_values_check',
  `COALESCE(contracts_signed, 0) >= 0 AND COALESCE(hnte_applicants, 0) >= 0 AND COALESCE(hnte_newly_certified, 0) >= 0 ` +
    `AND COALESCE(hnte_in_force, 0) >= 0 AND COALESCE(tsme_registered, 0) >= 0 AND COALESCE(pool_priority, 0) >= 0 ` +
    `AND COALESCE(pool_medium_term, 0) >= 0 AND COALESCE(tracking, 0) >= 0 AND COALESCE(open_demands, 0) >= 0 ` +
    `AND COALESCE(service_records, 0) >= 0`,
)
export class DistrictTarget {
  @PrimaryColumn('int')
  year: number;

  @Column('int', { nullable: true }) contractsSigned: number | null;
  @Column('int', { nullable: true }) hnteApplicants: number | null;
  @Column('int', { nullable: true }) hnteNewlyCertified: number | null;
  @Column('int', { nullable: true }) hnteInForce: number | null;
  @Column('int', { nullable: true }) tsmeRegistered: number | null;
  @Column('int', { nullable: true }) poolPriority: number | null;
  @Column('int', { nullable: true }) poolMediumTerm: number | null;
  @Column('int', { nullable: true }) tracking: number | null;
  @Column('int', { nullable: true }) openDemands: number | null;
  @Column('int', { nullable: true }) serviceRecords: number | null;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
