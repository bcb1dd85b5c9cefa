/** A user-supplied value as it appears in messages: quoted, with control characters escaped. */
export const shown = (value: unknown): string => JSON.stringify(String(value));
