import { SetMetadata } from '@nestjs/common';
import type { Permission } from './permissions.js';

export const ACCESS_KEY = 'peiyu:access';

export type AccessRule = { public: true } | { permission: Permission };

/** Open to anyone: login, health, docs. */
export const Public = () => SetMetadata<string, AccessRule>(ACCESS_KEY, { public: true });

/** The permission (an API-key scope, or `admin`) a route needs. Every route names one. */
export const Requires = (permission: Permission) => SetMetadata<string, AccessRule>(ACCESS_KEY, { permission });
