/** Five-field cron expressions as Cron Triggers take them (UTC): numbers, `*`, ranges, lists and steps. Pure. */

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

export type Cron = ReadonlyArray<ReadonlySet<number>>;

/** Parses an expression or throws an Error naming the bad field. */
export function parseCron(expression: string): Cron {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`"${expression}" must have 5 fields (minute hour day-of-month month day-of-week)`);
  return parts.map((part, i) => parseField(part, FIELDS[i]!));
}

function parseField(text: string, field: (typeof FIELDS)[number]): Set<number> {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
    if (!match) throw new Error(`bad ${field.name} "${item}"`);
    const from = match[1] === '*' ? field.min : Number(match[2]);
    const to = match[1] === '*' ? field.max : match[3] !== undefined ? Number(match[3]) : match[4] !== undefined ? field.max : from;
    const step = match[4] !== undefined ? Number(match[4]) : 1;
    if (from < field.min || to > field.max || from > to || step < 1)
      throw new Error(`${field.name} "${item}" is out of range ${field.min}-${field.max}`);
    for (let v = from; v <= to; v += step) values.add(field.name === 'day of week' && v === 7 ? 0 : v);
  }
  return values;
}

/** Whether the cron fires in the minute of `at` (UTC). Day of month and day of week combine with OR when both are restricted. */
export function cronMatches(cron: Cron, at: Date): boolean {
  const [minute, hour, dom, month, dow] = cron as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  if (!minute.has(at.getUTCMinutes()) || !hour.has(at.getUTCHours()) || !month.has(at.getUTCMonth() + 1)) return false;
  const domAll = dom.size === 31;
  const dowAll = dow.size === 7;
  const domHit = dom.has(at.getUTCDate());
  const dowHit = dow.has(at.getUTCDay());
  return domAll || dowAll ? domHit && dowHit : domHit || dowHit;
}
