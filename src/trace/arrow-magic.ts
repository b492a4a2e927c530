/**
 * The first bytes of Arrow IPC: what the format registry sniffs with, in a
 * module light enough to load before any Arrow code is needed.
 */

/** An IPC file starts (and ends) with it. */
export const ARROW_MAGIC = 'ARROW1';

export function startsAsArrowFile(head: Uint8Array): boolean {
  return head.length >= ARROW_MAGIC.length && Buffer.from(head.buffer, head.byteOffset, ARROW_MAGIC.length).toString('latin1') === ARROW_MAGIC;
}

/** An IPC stream opens with the continuation marker (before Arrow 0.15, with a small metadata length: told by its name only). */
export function startsAsArrowStream(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0xff && head[1] === 0xff && head[2] === 0xff && head[3] === 0xff;
}
