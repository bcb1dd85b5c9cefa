import { InputError } from '../errors.js';
import { shown } from './shown.js';

/** A TCP port, 1–65535, given as a number or a decimal string (compose labels are strings). */
export function validatePort(value: string | number, field: string): number {
  const port = typeof value === 'number' ? value : /^[0-9]{1,5}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (Number.isInteger(port) && port >= 1 && port <= 65535) return port;
  throw InputError(`${field} ${shown(value)} is not a TCP port.`, 'Use a whole number from 1 to 65535, e.g. 8080.');
}
