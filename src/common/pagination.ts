import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { Problem } from './problem.js';

/** `?limit=&cursor=`, shared by every list. */
export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit: number = 50;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page’s `nextCursor`.' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'is not a cursor this API issued' })
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/**
 * Keyset cursors: the sort key values of the last row, base64url-encoded JSON. Opaque to
 * clients; a cursor from another sort order is refused rather than misread.
 */
export function encodeCursor(sort: string, keys: unknown[]): string {
  return Buffer.from(JSON.stringify([sort, ...keys])).toString('base64url');
}

export function decodeCursor(cursor: string, sort: string, arity: number): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw Problem.field('cursor', 'is not a cursor this API issued');
  }
  if (!Array.isArray(parsed) || parsed.length !== arity + 1 || parsed[0] !== sort) {
    throw Problem.field('cursor', 'was issued for another sort order or list');
  }
  return parsed.slice(1);
}

/** Trims the extra row fetched to learn whether another page exists. */
export function toPage<T>(rows: T[], limit: number, cursorOf: (row: T) => string): Page<T> {
  if (rows.length <= limit) return { data: rows, nextCursor: null };
  const data = rows.slice(0, limit);
  return { data, nextCursor: cursorOf(data[data.length - 1]) };
}
