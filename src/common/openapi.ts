import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  ApiUnauthorizedResponse,
  getSchemaPath,
} from '@nestjs/swagger';

/** The problem+json body every error has (RFC 9457). */
export class FieldErrorView {
  @ApiProperty({ example: 'creditCode' }) field: string;
  @ApiProperty({ example: 'check character should be L' }) message: string;
}

export class ProblemView {
  @ApiProperty({ example: '/problems/validation' }) type: string;
  @ApiProperty({ example: 'Bad Request' }) title: string;
  @ApiProperty({ example: 400 }) status: number;
  @ApiPropertyOptional() detail?: string;
  @ApiPropertyOptional() instance?: string;
  @ApiPropertyOptional() requestId?: string;
  @ApiPropertyOptional({ type: [FieldErrorView] }) errors?: FieldErrorView[];
}

const problem = { content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemView) } } } };

/** The errors any authenticated route can answer with. */
export const ApiStandardErrors = () =>
  applyDecorators(
    ApiExtraModels(ProblemView, FieldErrorView),
    ApiBadRequestResponse({ description: 'Invalid input; `errors` names every bad field', ...problem }),
    ApiUnauthorizedResponse({ description: 'No or invalid credentials', ...problem }),
    ApiForbiddenResponse({ description: 'Authenticated but not allowed', ...problem }),
  );

export const ApiOk = (type: Type) =>
  applyDecorators(
    ApiStandardErrors(),
    ApiOkResponse({ type }),
    ApiNotFoundResponse({ description: 'Not found', ...problem }),
  );

export const ApiCreated = (type: Type) =>
  applyDecorators(
    ApiStandardErrors(),
    ApiCreatedResponse({ type }),
    ApiConflictResponse({ description: 'Conflicts with an existing record', ...problem }),
  );

/** A `{ data, nextCursor }` page of `type`. */
export const ApiPage = (type: Type) =>
  applyDecorators(
    ApiStandardErrors(),
    ApiExtraModels(type),
    ApiOkResponse({
      schema: {
        type: 'object',
        required: ['data', 'nextCursor'],
        properties: {
          data: { type: 'array', items: { $ref: getSchemaPath(type) } },
          nextCursor: {
            type: 'string',
            nullable: true,
            description: 'Pass as `cursor` for the next page; null on the last',
          },
        },
      },
    }),
  );

export const ApiProblem = (status: number, description: string) =>
  applyDecorators(ApiExtraModels(ProblemView), ApiResponse({ status, description, ...problem }));
