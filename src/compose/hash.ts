import { createHash } from 'node:crypto';

/** Identifies a compose file's exact content (a re-deploy of the same bytes is recognisable). */
export const composeHash = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');
