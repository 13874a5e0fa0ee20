import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsCalendarDate, OptionalNotNull, Trim } from '../../common/validators.js';
import {
  IP_ACQUISITIONS,
  IP_KIND_NAMES,
  IP_KINDS,
  validateIpAsset,
  type IpAcquisition,
  type IpHolding,
  type IpKind,
} from '../../readiness/rules.js';
import { AgreesWithRules, atRoot } from '../rules-check.js';

/** Optional but not nullable: absent keeps the default (or, on PATCH, the stored value); null is refused. */

const KINDS_DESCRIPTION = IP_KINDS.map((k) => `${k} ${IP_KIND_NAMES[k]}`).join('; ');

export class CreateIpAssetDto {
  @ApiProperty({ enum: IP_KINDS, description: KINDS_DESCRIPTION })
  @IsIn(IP_KINDS)
  kind: IpKind;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'ZL202010123456.7',
    description: '专利号 / 登记号',
    maxLength: 100,
  })
  @IsOptional()
  @Trim()
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(100)
  number?: string | null;

  @ApiProperty({ example: '一种高铝耐火砖的制备方法', maxLength: 300 })
  @Trim()
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(300)
  title: string;

  @ApiPropertyOptional({
    type: String,
    format: 'date',
    nullable: true,
    example: '2020-05-01',
    description: 'Grant date (授权日); counts from this day',
  })
  @IsOptional()
  @IsCalendarDate()
  grantedAt?: string | null;

  @ApiPropertyOptional({
    type: String,
    format: 'date',
    nullable: true,
    description: 'Counts through this day; not before grantedAt',
  })
  @IsOptional()
  @IsCalendarDate()
  @AgreesWithRules(atRoot(validateIpAsset))
  expiresAt?: string | null;

  @ApiProperty({ enum: IP_ACQUISITIONS, description: 'How the enterprise came to own it' })
  @IsIn(IP_ACQUISITIONS)
  acquisition: IpAcquisition;

  @ApiPropertyOptional({
    default: false,
    description: 'A Class II item already used by a certified HNTE application',
  })
  @OptionalNotNull()
  @IsBoolean()
  usedInCertification?: boolean;
}

// skipNullProperties: false, so a null kind, title or acquisition is named with the other bad fields.
export class UpdateIpAssetDto extends PartialType(CreateIpAssetDto, { skipNullProperties: false }) {}

export class IpAssetView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) enterpriseId: string;
  @ApiProperty({ enum: IP_KINDS }) kind: IpKind;
  @ApiProperty({ type: String, nullable: true }) number: string | null;
  @ApiProperty() title: string;
  @ApiProperty({ type: String, format: 'date', nullable: true }) grantedAt: string | null;
  @ApiProperty({ type: String, format: 'date', nullable: true }) expiresAt: string | null;
  @ApiProperty({ enum: IP_ACQUISITIONS }) acquisition: IpHolding;
  @ApiProperty() usedInCertification: boolean;
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}
