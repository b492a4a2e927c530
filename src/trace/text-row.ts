/**
 * Field scanning shared by the CSV and NDJSON readers: kind names, field
 * text for error messages, and the messages themselves, so both formats
 * describe a bad value the same way.
 */
import { Kind } from './schema.js';
import { NumberError, numberError } from './text-numbers.js';

const VCPU = bytesOf('vcpu');
const FAULT = bytesOf('fault');
const RESOLVE = bytesOf('resolve');
const ERASE = bytesOf('erase');

function bytesOf(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

function equals(b: Uint8Array, p: number, end: number, word: Uint8Array): boolean {
  if (end - p !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (b[p + i] !== word[i]) return false;
  return true;
}

/** The kind code named by b[p..end), or -1. */
export function kindAt(b: Uint8Array, p: number, end: number): number {
  switch (end - p) {
    case 4:
      return equals(b, p, end, VCPU) ? Kind.vcpu : -1;
    case 5:
      return equals(b, p, end, FAULT) ? Kind.fault : equals(b, p, end, ERASE) ? Kind.erase : -1;
    case 7:
      return equals(b, p, end, RESOLVE) ? Kind.resolve : -1;
    default:
      return -1;
  }
}

const MAX_SHOWN = 40;

/** b[p..end) quoted for a message, shortened when long. */
export function shown(b: Uint8Array, p: number, end: number): string {
  const text = Buffer.from(b.buffer, b.byteOffset + p, Math.min(end - p, MAX_SHOWN)).toString('utf8');
  return JSON.stringify(end - p > MAX_SHOWN ? `${text}...` : text);
}

/** What each column holds, for "expected ..." messages. */
export const EXPECTED = {
  t_ns: 'a signed 64-bit integer of nanoseconds',
  kind: 'vcpu, fault or resolve',
  tid: 'an unsigned 32-bit integer',
  addr: 'an unsigned 64-bit integer (decimal or 0x hex)',
  cpu: 'a signed 32-bit integer',
} as const;

export type Column = keyof typeof EXPECTED;

/** The message for a value that failed to parse as `column`, after a number parse set `numberError`. */
export function badValue(column: Column, text: string, afterNumber: boolean): string {
  if (afterNumber && numberError === NumberError.range) {
    return column === 'addr'
      ? `column addr: ${text} is above 2^64 - 1; expected a 64-bit address`
      : `column ${column}: ${text} is out of range; expected ${EXPECTED[column]}`;
  }
  return `column ${column}: expected ${EXPECTED[column]}, got ${text}`;
}
