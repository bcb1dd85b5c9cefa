import { createHash } from 'node:crypto';

/** A stand-in deploy hash for the fixtures: any stable text digest will do (the product's is app-hashes.deployHash). */
export const composeHash = (text: string): string => createHash('sha256').update(text).digest('hex');
