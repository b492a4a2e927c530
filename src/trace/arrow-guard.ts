/**
 * Arrow JS trusts the flatbuffer metadata it reads: a corrupt vector length
 * (a flipped bit in a message header or the file footer) makes it loop over
 * up to 2^31 entries, building objects, until memory runs out. A vector of n
 * entries needs at least n bytes after its length word, so we refuse any that
 * would run past its buffer, which turns that hang into an error our reader
 * reports as bad input. Valid metadata never trips it.
 *
 * The check goes on the ByteBuffer of the flatbuffers copy that apache-arrow
 * itself loads (resolved from apache-arrow's location).
 */
import { createRequire } from 'node:module';

interface FlatByteBuffer {
  readInt32(offset: number): number;
  capacity(): number;
  __vector_len(offset: number): number;
}

const fromArrow = createRequire(createRequire(import.meta.url).resolve('apache-arrow'));
const { ByteBuffer } = fromArrow('flatbuffers') as { ByteBuffer: { prototype: FlatByteBuffer } };

ByteBuffer.prototype.__vector_len = function checkedVectorLength(this: FlatByteBuffer, offset: number): number {
  const at = offset + this.readInt32(offset);
  const length = this.readInt32(at);
  if (length < 0 || at + 4 + length > this.capacity()) {
    throw new RangeError(`corrupt Arrow metadata: a vector of ${length} entries at byte ${at} runs past its ${this.capacity()}-byte buffer`);
  }
  return length;
};
