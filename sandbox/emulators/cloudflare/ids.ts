/** Identifiers and timestamps in Cloudflare's formats. */
import { createHash, randomBytes } from 'node:crypto';

/** 32 lowercase hex characters, like every Cloudflare object id. */
export const newIdentifier = (): string => randomBytes(16).toString('hex');

export const isIdentifier = (value: string): boolean => /^[0-9a-f]{32}$/.test(value);

export const nowTimestamp = (): string => new Date().toISOString();

/** Stable id derived from a secret, so the secret itself is never echoed. */
export const fingerprintIdentifier = (secret: string): string => createHash('sha256').update(secret).digest('hex').slice(0, 32);
