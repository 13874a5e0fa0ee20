import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { Permission } from './permissions.js';

export const ACCESS_KEY = 'peiyu:access';
/** Marks public operations in the OpenAPI document, which then list no security. */
export const PUBLIC_EXTENSION = 'x-public';

export type AccessRule = { public: true } | { permission: Permission };

/** Open to anyone: login, health, docs. */
export const Public = () =>
  applyDecorators(
    SetMetadata<string, AccessRule>(ACCESS_KEY, { public: true }),
    ApiExtension(PUBLIC_EXTENSION, true),
  );

/** The permission (an API-key scope, or `admin`) a route needs. Every route names one. */
export const Requires = (permission: Permission) =>
  SetMetadata<string, AccessRule>(ACCESS_KEY, { permission });
