/**
 * The runtime behaviour the Worker was written and tested against; upload with the same date. Kept apart from
 * bundle.ts so the CLI can import it without pulling esbuild into its bundle.
 */
export const WORKER_COMPATIBILITY_DATE = '2025-06-01';
