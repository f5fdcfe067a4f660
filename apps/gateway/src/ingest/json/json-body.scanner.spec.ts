import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonBodyScanner, type TopLevel } from './json-body.scanner';
import { JsonSyntaxError } from './json-syntax.error';

interface Scanned {
  topLevel: TopLevel | undefined;
  items: string[];
  calls: number;
}

/** Scans in steps of `budget` bytes; throws the syntax error if there is one. */
function scanAll(text: string | Buffer, budget = Number.MAX_SAFE_INTEGER): Scanned {
  const body = typeof text === 'string' ? Buffer.from(text) : text;
  const scanner = new JsonBodyScanner(body);
  const items: string[] = [];
  let calls = 0;
  while (!scanner.done) {
    calls++;
    for (const item of scanner.scan(budget)) items.push(body.toString('utf8', item.start, item.end));
  }
  if (scanner.error) throw scanner.error;
  return { topLevel: scanner.topLevel, items, calls };
}

/** What the scanned items parse to: the array's elements, or the one top-level value. */
function parsedItems(text: string, budget?: number): unknown[] {
  return scanAll(text, budget).items.map((item) => JSON.parse(item) as unknown);
}

function syntaxError(text: string, budget?: number): JsonSyntaxError {
  try {
    scanAll(text, budget);
  } catch (error) {
    if (error instanceof JsonSyntaxError) return error;
    throw error;
  }
  throw new Error(`no syntax error found in ${text}`);
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A JSON text of an array, laid out in one of the ways senders write it. */
const arrayText = fc
  .tuple(fc.array(fc.jsonValue()), fc.constantFrom(undefined, 0, 2, '\t', ' \r\n '))
  .map(([values, indent]) => JSON.stringify(values, null, indent));

/** Valid JSON with a cut, or a few characters inserted somewhere. */
const damagedText = fc
  .tuple(
    fc.oneof(arrayText, fc.json()),
    fc.nat(),
    fc.constantFrom('', ',', ']', '[', '}', '{', '"', '\\', ':', 'x', ' ', '\n', '0', '-', '.', 'e'),
    fc.boolean(),
  )
  .map(([text, at, insert, cut]) => {
    const where = at % (text.length + 1);
    return cut ? text.slice(0, where) : text.slice(0, where) + insert + text.slice(where);
  });

describe(JsonBodyScanner, () => {
  describe('when the body is an array', () => {
    it('should return each element without its surrounding whitespace', () => {
      expect(scanAll(' \t[ \n {"a" : 1 } \r\n,\t[ 2 ] ,\n"s",-1.5e3,true ]\n ')).toEqual({
        topLevel: 'array',
        items: ['{"a" : 1 }', '[ 2 ]', '"s"', '-1.5e3', 'true'],
        calls: 1,
      });
    });

    it('should find nothing in an empty array', () => {
      expect(scanAll(' [ ] ').items).toEqual([]);
    });

    it('should keep delimiters inside strings, escaped quotes and non-ASCII text inside their element', () => {
      const values = [
        { text: 'a],[b}{', quote: 'say "hi", then \\"bye\\"' },
        'ends with a backslash \\',
        { path: 'C:\\dir\\', nested: ['[', ']', '{', '}', ','] },
        { country: "Cote d'Ivoire", city: 'Virgin Islands, U.S.', emoji: 'café ☕ 👍', escaped: '\u0000\u001f\u2028' },
      ];
      expect(parsedItems(JSON.stringify(values))).toEqual(values);
    });

    it('should split only at the top level of nested arrays and objects', () => {
      const values = [[1, [2, [3]]], { a: [{ b: [] }], c: {} }, [], {}, 'x', 0, null, false];
      expect(parsedItems(JSON.stringify(values))).toEqual(values);
    });
  });

  describe('when the body is one object or another value', () => {
    it('should return the value itself and say what it is', () => {
      expect(scanAll('\n {"a": [1, 2]} \n')).toMatchObject({ topLevel: 'object', items: ['{"a": [1, 2]}'] });
      expect(scanAll(' 42 ')).toMatchObject({ topLevel: 'other', items: ['42'] });
      expect(scanAll('"x"')).toMatchObject({ topLevel: 'other', items: ['"x"'] });
    });
  });

  describe('when the body starts with a byte-order mark', () => {
    it('should skip it', () => {
      expect(scanAll(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[1]')])).items).toEqual(['1']);
    });
  });

  describe('when scanned a few bytes at a time', () => {
    it('should find the same items as in one pass', () => {
      const text = JSON.stringify(['a\\"b', { 'k\\': '\\' }, ['"]', '\\\\'], 'é👍', 12.5e-3]);
      for (const budget of [1, 2, 3, 7]) expect(parsedItems(text, budget)).toEqual(JSON.parse(text));
    });

    it('should not read past its budget by more than one token', () => {
      const body = Buffer.from(JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ i, s: 'x\\"y' }))));
      const longestToken = JSON.stringify('x\\"y').length;
      const scanner = new JsonBodyScanner(body);
      let before = scanner.offset;
      while (!scanner.done) {
        scanner.scan(16);
        expect(scanner.offset - before).toBeLessThanOrEqual(16 + longestToken);
        before = scanner.offset;
      }
    });
  });

  describe('when the body is truncated', () => {
    it('should report the end of input, or the string left open', () => {
      expect(syntaxError('')).toEqual(expect.objectContaining({ reason: 'Unexpected end of JSON input', position: 0 }));
      expect(syntaxError('  ')).toMatchObject({ reason: 'Unexpected end of JSON input', position: 2 });
      expect(syntaxError('[1,')).toMatchObject({ reason: 'Unexpected end of JSON input', position: 3 });
      expect(syntaxError('[{"a":1}')).toMatchObject({ reason: 'Unexpected end of JSON input', position: 8 });
      expect(syntaxError('[1, "abc')).toMatchObject({ reason: 'Unterminated string', position: 4 });
      expect(syntaxError('["a\\')).toMatchObject({ reason: 'Unterminated string', position: 1 });
      expect(syntaxError('[tru')).toMatchObject({ reason: 'Unexpected end of JSON input', position: 4 });
    });
  });

  describe('when a delimiter is out of place', () => {
    it('should report where, as JSON.parse does', () => {
      expect(syntaxError('[1,]')).toMatchObject({ reason: "Unexpected token ']'", position: 3 });
      expect(syntaxError('[1,,2]')).toMatchObject({ reason: "Unexpected token ','", position: 3 });
      expect(syntaxError('[,1]')).toMatchObject({ position: 1 });
      expect(syntaxError('[1 2]')).toMatchObject({ reason: "Expected ',' or ']' after array element", position: 3 });
      expect(syntaxError('[1}')).toMatchObject({ reason: "Expected ',' or ']' after array element", position: 2 });
      expect(syntaxError('[{]}')).toMatchObject({ reason: "Expected property name or '}'", position: 2 });
      expect(syntaxError('[{"a":1]]')).toMatchObject({
        reason: "Expected ',' or '}' after property value",
        position: 7,
      });
      expect(syntaxError('{"a" 1}')).toMatchObject({ reason: "Expected ':' after property name", position: 5 });
      expect(syntaxError('{"a":1,}')).toMatchObject({ reason: 'Expected double-quoted property name', position: 7 });
      expect(syntaxError('[1] x')).toMatchObject({
        reason: 'Unexpected non-whitespace character after JSON',
        position: 4,
      });
    });
  });

  describe('when a token is broken', () => {
    it('should say what and where', () => {
      expect(syntaxError('{"a":x}')).toMatchObject({ reason: "Unexpected token 'x'", position: 5 });
      expect(syntaxError('[{"a":1}, {"b": nope}]')).toMatchObject({ reason: "Unexpected token 'o'", position: 17 });
      expect(syntaxError('["a\nb"]')).toMatchObject({ reason: 'Bad control character in string literal', position: 3 });
      expect(syntaxError('["\\x"]')).toMatchObject({ reason: 'Bad escaped character', position: 2 });
      expect(syntaxError('["\\u12g4"]')).toMatchObject({ reason: 'Bad Unicode escape', position: 2 });
      expect(syntaxError('[-]')).toMatchObject({ reason: 'No number after minus sign', position: 2 });
      expect(syntaxError('[1.]')).toMatchObject({ reason: 'Unterminated fractional number', position: 3 });
      expect(syntaxError('[1e+]')).toMatchObject({ reason: 'Exponent part is missing a number', position: 4 });
      expect(syntaxError('[01]')).toMatchObject({ position: 2 });
      expect(syntaxError(Buffer.from([0x5b, 0xff, 0x5d]).toString('latin1'))).toMatchObject({ position: 1 });
    });

    it('should count positions in bytes', () => {
      expect(syntaxError('[{"é":"ü"}, x]')).toMatchObject({ reason: "Unexpected token 'x'", position: 14 });
    });
  });

  describe('when nesting is very deep', () => {
    it('should not overflow the stack', () => {
      expect(syntaxError('['.repeat(200_000))).toMatchObject({
        reason: 'Unexpected end of JSON input',
        position: 200_000,
      });
      expect(parsedItems(`[${'['.repeat(100_000)}${']'.repeat(100_000)}]`)).toHaveLength(1);
    });
  });

  describe('when given any JSON array', () => {
    it('should cut it into elements that parse to what JSON.parse of the whole gives', () => {
      fc.assert(
        fc.property(arrayText, fc.integer({ min: 1, max: 64 }), (text, budget) => {
          expect(parsedItems(text, budget)).toEqual(JSON.parse(text));
        }),
      );
    });
  });

  describe('when given any text', () => {
    it('should find an error exactly when JSON.parse fails', () => {
      fc.assert(
        fc.property(fc.oneof(damagedText, fc.string(), fc.json()), fc.integer({ min: 1, max: 32 }), (text, budget) => {
          if (parses(text)) {
            const { topLevel, items } = scanAll(text, budget);
            const whole: unknown = JSON.parse(text);
            expect(
              topLevel === 'array' ? items.map((item) => JSON.parse(item) as unknown) : JSON.parse(items[0] as string),
            ).toEqual(whole);
          } else {
            const error = syntaxError(text, budget);
            expect(error.position).toBeLessThanOrEqual(Buffer.byteLength(text));
          }
        }),
        { numRuns: 3_000 },
      );
    });
  });
});
