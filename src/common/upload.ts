import { createHash } from 'node:crypto';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { registerDecorator } from 'class-validator';
import type {} from '@fastify/multipart'; // request.isMultipart() and parts()
import type { FastifyRequest } from 'fastify';
import { Problem } from './problem.js';

/** The largest spreadsheet accepted: room for a full export of 100,000 enterprises (≈31 MB as CSV). */
export const UPLOAD_MAX_BYTES = 40 * 1024 * 1024;
const MAX_FIELDS = 10;
const MAX_FIELD_BYTES = 1000;

/**
 * An uploaded file. Its bytes are not enumerable, so the Idempotency-Key hash, the NUL scan and
 * logs see `{ filename, size, sha256 }`: the same key with another file is a 422, as for JSON.
 */
export class Upload {
  readonly filename: string;
  readonly size: number;
  readonly sha256: string;
  declare readonly data: Buffer;

  // Defaults: class-transformer instantiates a property's class with no arguments (then IsUpload's
  // Transform puts the real one back).
  constructor(filename = '', data: Buffer = Buffer.alloc(0)) {
    this.filename = filename;
    this.size = data.length;
    this.sha256 = createHash('sha256').update(data).digest('hex');
    Object.defineProperty(this, 'data', { value: data, enumerable: false });
  }
}

/**
 * Reads a multipart/form-data body into `request.body` as `{ file: Upload, <field>: string }`,
 * so the usual @Body() DTO validates it (unknown fields refused, every bad one named).
 *
 * A guard because guards are the one step after the AccessGuard and before the interceptors:
 * nobody uploads 10 MB before being authenticated, and Idempotency-Key sees the parsed body.
 */
@Injectable()
export class MultipartForm implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!request.isMultipart()) {
      throw new Problem(
        415,
        'unsupported-media-type',
        'Send multipart/form-data with the spreadsheet in the field `file`.',
      );
    }
    const body: Record<string, unknown> = {};
    const errors: { field: string; message: string }[] = [];
    try {
      for await (const part of request.parts({
        limits: {
          fileSize: UPLOAD_MAX_BYTES,
          files: 1,
          fields: MAX_FIELDS,
          fieldSize: MAX_FIELD_BYTES,
          parts: MAX_FIELDS + 1,
        },
      })) {
        if (part.type === 'file') {
          const data = await part.toBuffer();
          if (part.fieldname !== 'file')
            errors.push({ field: part.fieldname, message: 'is not a known field' });
          else body.file = new Upload(part.filename ?? '', data);
        } else if (part.valueTruncated) {
          errors.push({ field: part.fieldname, message: `must be at most ${MAX_FIELD_BYTES} bytes` });
        } else if (part.fieldname in body) {
          errors.push({ field: part.fieldname, message: 'is sent more than once' });
        } else {
          body[part.fieldname] = part.value;
        }
      }
    } catch (err) {
      throw uploadProblem(err);
    }
    if (errors.length > 0) throw Problem.validation(errors);
    request.body = body;
    return true;
  }
}

function uploadProblem(err: unknown): Problem {
  if (err instanceof Problem) return err;
  const code = (err as { code?: string }).code;
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new Problem(
        413,
        'file-too-large',
        `The file is larger than ${UPLOAD_MAX_BYTES / 1024 / 1024} MB; split it and send the parts.`,
        { maxBytes: UPLOAD_MAX_BYTES },
      );
    case 'FST_FILES_LIMIT':
      return Problem.field('file', 'send one file only');
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return Problem.field('body', `has more than ${MAX_FIELDS} fields`);
    case 'FST_PROTO_VIOLATION':
      return Problem.field('body', 'has a field name that is not allowed');
    default:
      // busboy's own complaints: a truncated body, a broken boundary or part header.
      return Problem.field('body', `is not well-formed multipart/form-data (${(err as Error).message})`);
  }
}

/** The uploaded file as a DTO property: present, named, not empty. */
export function IsUpload() {
  return (target: object, propertyName: string) => {
    // class-transformer would copy the Upload into a new object and drop its (hidden) bytes.
    Transform(({ obj }: { obj: Record<string, unknown> }) => obj[propertyName], { toClassOnly: true })(
      target,
      propertyName,
    );
    registerDecorator({
      name: 'isUpload',
      target: target.constructor,
      propertyName,
      options: { message: 'must be a file sent as a multipart part named `file`' },
      validator: { validate: (value: unknown) => value instanceof Upload },
    });
  };
}

/** OpenAPI for the file part. */
export const ApiUploadProperty = (description: string) =>
  ApiProperty({ type: 'string', format: 'binary', description });
