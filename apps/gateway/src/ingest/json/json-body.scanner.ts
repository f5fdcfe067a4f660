import { JsonSyntaxError } from './json-syntax.error';

/** Byte range `[start, end)` of one item of the body, without surrounding whitespace. */
export interface ItemSpan {
  start: number;
  end: number;
}

/** What the body holds at its top level, known once its first significant byte was read. */
export type TopLevel = 'array' | 'object' | 'other';

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const PLUS = 0x2b;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const COLON = 0x3a;
const UPPER_E = 0x45;
const OPEN_BRACKET = 0x5b;
const BACKSLASH = 0x5c;
const CLOSE_BRACKET = 0x5d;
const LOWER_E = 0x65;
const LOWER_U = 0x75;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

// Bytes that end the fast run through a string: the closing quote, an escape, or a control character (an error).
const STRING_STOP = new Uint8Array(256);
for (let byte = 0; byte < SPACE; byte++) STRING_STOP[byte] = 1;
STRING_STOP[QUOTE] = 1;
STRING_STOP[BACKSLASH] = 1;

const SIMPLE_ESCAPE = new Uint8Array(256);
for (const char of '"\\/bfnrt') SIMPLE_ESCAPE[char.charCodeAt(0)] = 1;

const HEX_DIGIT = new Uint8Array(256);
for (const char of '0123456789abcdefABCDEF') HEX_DIGIT[char.charCodeAt(0)] = 1;

const LITERALS: Array<Uint8Array | undefined> = [];
for (const word of ['true', 'false', 'null']) LITERALS[word.charCodeAt(0)] = Buffer.from(word);

const isDigit = (byte: number | undefined): boolean => byte !== undefined && byte >= ZERO && byte <= NINE;

// What the grammar allows next.
const VALUE = 0;
const VALUE_OR_CLOSE = 1;
const KEY = 2;
const KEY_OR_CLOSE = 3;
const COLON_NEXT = 4;
const AFTER_VALUE = 5;

const IN_ARRAY = 0;
const IN_OBJECT = 1;

class Stop extends Error {
  constructor(
    readonly reason: string,
    readonly at: number,
  ) {
    super(reason);
  }
}

/**
 * Reads a JSON body a bounded number of bytes per call, checking the full JSON grammar (exactly what
 * `JSON.parse` accepts) and cutting it into items: the elements of a top-level array, or the top-level
 * value itself. A body of tens of megabytes is so checked and cut up between event-loop turns instead of
 * in one blocking pass, and a malformed one is refused, with the byte position of its first error, before
 * any of its items is used. Each item can then be given to `JSON.parse` on its own; it will not fail.
 *
 * Work is resumable between tokens: a call may run past its budget by at most one token (a string, a
 * number or a literal).
 */
export class JsonBodyScanner {
  private position = 0;
  private expect = VALUE;
  private depth = 0;
  private stack = new Uint8Array(64);
  private itemStart = 0;
  private kind: TopLevel | undefined;
  private failure: JsonSyntaxError | undefined;
  private finished = false;

  constructor(private readonly body: Uint8Array) {
    // Some HTTP clients write a UTF-8 byte-order mark; it is not part of the JSON text.
    if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) this.position = 3;
  }

  /** True once the whole body was read, or a syntax error was found. */
  get done(): boolean {
    return this.finished;
  }

  /** The syntax error that stopped the scan, if any. */
  get error(): JsonSyntaxError | undefined {
    return this.failure;
  }

  /** The kind of top-level value, once the first significant byte has been read. */
  get topLevel(): TopLevel | undefined {
    return this.kind;
  }

  /** Bytes read so far. */
  get offset(): number {
    return this.position;
  }

  /**
   * Reads about `byteBudget` more bytes and returns the items completed within them. Items of a body that
   * later proves malformed are returned too: a caller must not act on any item before `done` without `error`.
   */
  scan(byteBudget: number): ItemSpan[] {
    const items: ItemSpan[] = [];
    if (this.finished) return items;
    try {
      this.run(Math.min(this.body.length, this.position + Math.max(1, byteBudget)), items);
    } catch (error) {
      if (!(error instanceof Stop)) throw error;
      this.failure = new JsonSyntaxError(error.reason, error.at);
      this.finished = true;
    }
    return items;
  }

  private run(stop: number, items: ItemSpan[]): void {
    const body = this.body;
    const length = body.length;
    // Hot loop: the state lives in locals and is written back however the loop ends.
    let i = this.position;
    let expect = this.expect;
    let depth = this.depth;
    let stack = this.stack;
    let itemStart = this.itemStart;
    let kind = this.kind;
    // Items are the elements of a top-level array, or else the top-level value.
    let itemDepth = kind === 'array' ? 1 : 0;
    try {
      for (;;) {
        let byte = 0;
        while (i < length) {
          byte = body[i] as number;
          if (byte !== SPACE && byte !== LF && byte !== CR && byte !== TAB) break;
          i++;
        }
        if (i >= length) {
          if (expect !== AFTER_VALUE || depth > 0) throw new Stop('Unexpected end of JSON input', length);
          this.finished = true;
          return;
        }
        if (i >= stop) return;

        if (expect === AFTER_VALUE) {
          if (depth === 0) throw new Stop('Unexpected non-whitespace character after JSON', i);
          const container = stack[depth - 1];
          if (byte === COMMA) {
            i++;
            expect = container === IN_ARRAY ? VALUE : KEY;
            continue;
          }
          if (byte !== (container === IN_ARRAY ? CLOSE_BRACKET : CLOSE_BRACE)) {
            throw new Stop(
              container === IN_ARRAY
                ? "Expected ',' or ']' after array element"
                : "Expected ',' or '}' after property value",
              i,
            );
          }
          i++;
          depth--;
        } else if (expect === KEY || expect === KEY_OR_CLOSE) {
          if (byte === QUOTE) {
            i = skipString(body, i);
            expect = COLON_NEXT;
            continue;
          }
          if (byte !== CLOSE_BRACE || expect !== KEY_OR_CLOSE) {
            throw new Stop(
              expect === KEY_OR_CLOSE ? "Expected property name or '}'" : 'Expected double-quoted property name',
              i,
            );
          }
          i++;
          depth--;
        } else if (expect === COLON_NEXT) {
          if (byte !== COLON) throw new Stop("Expected ':' after property name", i);
          i++;
          expect = VALUE;
          continue;
        } else if (byte === CLOSE_BRACKET && expect === VALUE_OR_CLOSE) {
          i++;
          depth--;
        } else {
          // A value starts.
          if (depth === 0 && kind === undefined) {
            kind = byte === OPEN_BRACKET ? 'array' : byte === OPEN_BRACE ? 'object' : 'other';
            itemDepth = kind === 'array' ? 1 : 0;
          }
          if (depth === itemDepth) itemStart = i;
          if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
            if (depth === stack.length) {
              const grown = new Uint8Array(stack.length * 2);
              grown.set(stack);
              stack = grown;
            }
            stack[depth++] = byte === OPEN_BRACE ? IN_OBJECT : IN_ARRAY;
            i++;
            expect = byte === OPEN_BRACE ? KEY_OR_CLOSE : VALUE_OR_CLOSE;
            continue;
          }
          if (byte === QUOTE) i = skipString(body, i);
          else if (byte === MINUS || (byte >= ZERO && byte <= NINE)) i = skipNumber(body, i);
          else i = skipLiteral(body, i);
        }
        // A value ended at `i`.
        expect = AFTER_VALUE;
        if (depth === itemDepth) items.push({ start: itemStart, end: i });
      }
    } finally {
      this.position = i;
      this.expect = expect;
      this.depth = depth;
      this.stack = stack;
      this.itemStart = itemStart;
      this.kind = kind;
    }
  }
}

/** A string starting at its opening quote `i`; returns the offset just after its closing quote. */
function skipString(body: Uint8Array, i: number): number {
  const opening = i;
  const length = body.length;
  i++;
  for (;;) {
    while (i < length && STRING_STOP[body[i] as number] === 0) i++;
    if (i >= length) throw new Stop('Unterminated string', opening);
    const byte = body[i] as number;
    if (byte === QUOTE) return i + 1;
    if (byte !== BACKSLASH) throw new Stop('Bad control character in string literal', i);
    const escaped = body[i + 1];
    if (escaped === undefined) throw new Stop('Unterminated string', opening);
    if (escaped === LOWER_U) {
      for (let k = 2; k < 6; k++) {
        const hex = body[i + k];
        if (hex === undefined) throw new Stop('Unterminated string', opening);
        if (HEX_DIGIT[hex] === 0) throw new Stop('Bad Unicode escape', i);
      }
      i += 6;
    } else if (SIMPLE_ESCAPE[escaped] === 1) {
      i += 2;
    } else {
      throw new Stop('Bad escaped character', i);
    }
  }
}

function skipNumber(body: Uint8Array, i: number): number {
  if (body[i] === MINUS) {
    i++;
    if (!isDigit(body[i])) throw new Stop('No number after minus sign', i);
  }
  if (body[i] === ZERO) i++;
  else while (isDigit(body[i])) i++;
  if (body[i] === DOT) {
    i++;
    if (!isDigit(body[i])) throw new Stop('Unterminated fractional number', i);
    while (isDigit(body[i])) i++;
  }
  if (body[i] === LOWER_E || body[i] === UPPER_E) {
    i++;
    if (body[i] === PLUS || body[i] === MINUS) i++;
    if (!isDigit(body[i])) throw new Stop('Exponent part is missing a number', i);
    while (isDigit(body[i])) i++;
  }
  return i;
}

function skipLiteral(body: Uint8Array, i: number): number {
  const literal = LITERALS[body[i] as number];
  if (literal === undefined) throw new Stop(unexpected(body, i), i);
  for (let k = 1; k < literal.length; k++) {
    if (i + k >= body.length) throw new Stop('Unexpected end of JSON input', body.length);
    if (body[i + k] !== literal[k]) throw new Stop(unexpected(body, i + k), i + k);
  }
  return i + literal.length;
}

function unexpected(body: Uint8Array, i: number): string {
  const byte = body[i] as number;
  return byte >= SPACE && byte < 0x7f
    ? `Unexpected token '${String.fromCharCode(byte)}'`
    : `Unexpected byte 0x${byte.toString(16).padStart(2, '0')}`;
}
