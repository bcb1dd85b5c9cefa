/**
 * Dev-only: validates JSON values against the OpenAPI 3.0 schema keywords the DigitalOcean and Cloudflare
 * subsets use ($ref, type, nullable, enum, format, pattern, lengths, bounds, items, required, properties, allOf,
 * oneOf, anyOf). Violations the caller knows about (`isKnown`) are collected apart and fail nothing.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type Schema = Record<string, any>;

export interface Report {
  errors: string[];
  known: Set<string>;
}

const FORMATS: Record<string, (value: string) => boolean> = {
  'date-time': (v) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(v) && !Number.isNaN(Date.parse(v)),
  ipv4: isIPv4,
  ipv6: isIPv6,
  uri: (v) => /^https?:\/\/\S+$/.test(v),
  hostname: (v) => /^(?=.{1,253}$)([a-z0-9_*]([a-z0-9_-]{0,61}[a-z0-9])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)*$/i.test(v),
};

const typeMatches = (type: string, value: unknown): boolean =>
  type === 'integer'
    ? Number.isInteger(value)
    : type === 'number'
      ? typeof value === 'number'
      : type === 'array'
        ? Array.isArray(value)
        : type === 'object'
          ? typeof value === 'object' && value !== null && !Array.isArray(value)
          : typeof value === type;

export function createValidator(spec: Schema, isKnown: (message: string) => boolean = () => false) {
  function resolve(node: Schema): Schema {
    let current = node;
    while (current && typeof current.$ref === 'string') {
      const ref: string = current.$ref;
      current = ref
        .replace(/^#\//, '')
        .split('/')
        .reduce((at: Schema, part: string) => at?.[part], spec);
      if (!current) throw new Error(`unresolvable $ref ${ref}`);
    }
    return current;
  }

  function validate(raw: Schema, value: unknown, at: string, report: Report): void {
    const schema = resolve(raw);
    const fail = (message: string) => (isKnown(message) ? report.known.add(message) : report.errors.push(message));
    if (value === null) {
      if (schema.nullable === true || schema.type === undefined || (schema.enum ?? []).includes(null))
        composition(schema, value, at, report);
      else fail(`${at}: null but not nullable`);
      return;
    }
    if (schema.type !== undefined && !typeMatches(schema.type, value)) {
      fail(`${at}: expected ${schema.type}, got ${Array.isArray(value) ? 'array' : typeof value}`);
      return;
    }
    if (schema.enum && !schema.enum.includes(value)) fail(`${at}: ${JSON.stringify(value)} not in enum ${JSON.stringify(schema.enum)}`);
    if (typeof value === 'string') {
      const format = schema.format && FORMATS[schema.format];
      if (format && !format(value)) fail(`${at}: "${value}" is not ${schema.format}`);
      if (schema.pattern && !new RegExp(schema.pattern).test(value)) fail(`${at}: "${value}" does not match ${schema.pattern}`);
      if (schema.maxLength !== undefined && value.length > schema.maxLength) fail(`${at}: longer than ${schema.maxLength}`);
      if (schema.minLength !== undefined && value.length < schema.minLength) fail(`${at}: shorter than ${schema.minLength}`);
    }
    if (typeof value === 'number') {
      if (schema.multipleOf !== undefined && value % schema.multipleOf !== 0)
        fail(`${at}: ${value} not a multiple of ${schema.multipleOf}`);
      if (schema.minimum !== undefined && value < schema.minimum) fail(`${at}: ${value} < minimum ${schema.minimum}`);
      if (schema.maximum !== undefined && value > schema.maximum) fail(`${at}: ${value} > maximum ${schema.maximum}`);
    }
    if (Array.isArray(value) && schema.items) value.forEach((item, i) => validate(schema.items, item, `${at}[${i}]`, report));
    if (typeMatches('object', value)) {
      const object = value as Record<string, unknown>;
      for (const key of schema.required ?? []) if (!(key in object)) fail(`${at}: missing required "${key}"`);
      for (const [key, sub] of Object.entries<Schema>(schema.properties ?? {})) {
        if (key in object) validate(sub, object[key], `${at}.${key}`, report);
      }
    }
    composition(schema, value, at, report);
  }

  function composition(schema: Schema, value: unknown, at: string, report: Report): void {
    const fail = (message: string) => (isKnown(message) ? report.known.add(message) : report.errors.push(message));
    for (const part of schema.allOf ?? []) validate(part, value, at, report);
    const trials = (parts: Schema[]) =>
      parts.map((part) => {
        const trial: Report = { errors: [], known: new Set() };
        validate(part, value, at, trial);
        if (trial.errors.length === 0) trial.known.forEach((k) => report.known.add(k));
        return trial.errors;
      });
    // With no branch passing, the closest branch's errors say what is wrong.
    const closest = (branches: string[][]) => [...branches].sort((a, b) => a.length - b.length)[0]?.join('; ') ?? '';
    if (schema.anyOf) {
      const branches = trials(schema.anyOf);
      if (!branches.some((b) => b.length === 0)) fail(`${at}: matches no anyOf branch; closest: ${closest(branches)}`);
    }
    if (schema.oneOf) {
      const branches = trials(schema.oneOf);
      const passing = branches.filter((b) => b.length === 0).length;
      if (passing === 0) fail(`${at}: matches no oneOf branch; closest: ${closest(branches)}`);
      if (passing > 1) report.errors.push(`${at}: matches ${passing} oneOf branches (needs exactly 1)`);
    }
  }

  /** Properties the schema declares anywhere (through allOf/oneOf/anyOf), to flag fields the contract never mentions. */
  function declaredProperties(raw: Schema, into = new Map<string, Schema[]>()): Map<string, Schema[]> {
    const schema = resolve(raw);
    for (const [field, sub] of Object.entries<Schema>(schema.properties ?? {})) into.set(field, [...(into.get(field) ?? []), sub]);
    for (const sub of [...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])]) declaredProperties(sub, into);
    return into;
  }

  /** Validates a whole value; `errors` fail the check, `known` are reported deviations. */
  const check = (schema: Schema, value: unknown, at: string): Report => {
    const report: Report = { errors: [], known: new Set() };
    validate(schema, value, at, report);
    return report;
  };

  return { resolve, check, declaredProperties };
}
