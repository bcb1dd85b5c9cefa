/**
 * Locates the first JSON syntax error as line and column (1-based). JSON.parse's messages carry a
 * position only for some errors and differ between Node versions, so this small scanner is the one source.
 */
export interface JsonSyntaxError {
  line: number;
  column: number;
  reason: string;
}

export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let at = 0;

  const fail = (reason: string): never => {
    throw new ScanStop(at, reason);
  };
  const skipSpace = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at]!)) at++;
  };
  const describe = () => (at >= text.length ? 'end of input' : `"${text[at]}"`);
  const expect = (char: string) => {
    if (text[at] !== char) fail(`expected "${char}" but found ${describe()}`);
    at++;
  };

  const value = (): void => {
    skipSpace();
    const char = text[at];
    if (char === '{') return void object();
    if (char === '[') return void array();
    if (char === '"') return void string();
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) return void number();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return;
      }
    }
    fail(`unexpected ${describe()}`);
  };
  const object = () => {
    at++;
    skipSpace();
    if (text[at] === '}') return void at++;
    for (;;) {
      skipSpace();
      if (text[at] !== '"') fail(`expected a property name in double quotes but found ${describe()}`);
      string();
      skipSpace();
      expect(':');
      value();
      skipSpace();
      if (text[at] === '}') return void at++;
      if (text[at] !== ',') fail(`expected "," or "}" but found ${describe()}`);
      at++;
    }
  };
  const array = () => {
    at++;
    skipSpace();
    if (text[at] === ']') return void at++;
    for (;;) {
      value();
      skipSpace();
      if (text[at] === ']') return void at++;
      if (text[at] !== ',') fail(`expected "," or "]" but found ${describe()}`);
      at++;
    }
  };
  const string = () => {
    at++;
    for (;;) {
      const char = text[at];
      if (char === undefined) fail('unterminated string');
      if (char === '"') return void at++;
      if (char! < ' ') fail('control character in string (escape it)');
      if (char === '\\') {
        at++;
        if (text[at] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) fail('invalid \\u escape');
          at += 4;
        } else if (!'"\\/bfnrt'.includes(text[at] ?? 'x')) fail('invalid escape');
      }
      at++;
    }
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at));
    if (!match) fail('invalid number');
    at += match![0].length;
  };

  try {
    value();
    skipSpace();
    if (at < text.length) fail(`unexpected ${describe()} after the end of the value`);
    return undefined;
  } catch (error) {
    if (!(error instanceof ScanStop)) throw error;
    return { ...lineAndColumn(text, error.offset), reason: error.reason };
  }
}

class ScanStop {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {}
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}
