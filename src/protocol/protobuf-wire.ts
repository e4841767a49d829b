/**
 * The Protocol Buffers wire format, as much of it as Airbyte's socket messages use: varints (with
 * 64-bit values kept exact), zigzag, fixed64 doubles, length-delimited fields, skipping fields this
 * version does not know, and the varint32 length prefix that delimits messages on a socket (what
 * the Bulk CDK's ProtobufDataChannelReader reads with CodedInputStream). Hand-written rather than a
 * library: it is the hot loop of a protobuf sync, a few dozen lines, allocation-free for numbers,
 * and test/protocol/protobuf-wire.property.test.ts proves it decodes what protobufjs decodes.
 */

/** Wire types (the low three bits of a tag). */
export const VARINT = 0;
export const FIXED64 = 1;
export const LENGTH_DELIMITED = 2;
export const FIXED32 = 5;

export class ProtoReader {
  pos: number;
  /** The low and high 32 bits of the last varint64 read (unsigned). */
  lo = 0;
  hi = 0;
  readonly #view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    public end = bytes.length,
  ) {
    this.pos = start;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** A varint that must fit 32 bits unsigned (tags, lengths, enums, uint32). */
  uint32(): number {
    this.varint64();
    return this.lo;
  }

  /** Reads a varint into `lo` / `hi`. */
  varint64(): void {
    const bytes = this.bytes;
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtoError("a varint runs past the end of its message");
      const b = bytes[this.pos++] as number;
      if (i < 4) lo |= (b & 0x7f) << shift;
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi = (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (shift - 32);
      shift += 7;
      if (b < 0x80) {
        this.lo = lo >>> 0;
        this.hi = hi >>> 0;
        return;
      }
    }
    throw new ProtoError("a varint is longer than 10 bytes");
  }

  bool(): boolean {
    this.varint64();
    return this.lo !== 0 || this.hi !== 0;
  }

  /** A uint64 as decimal text. */
  uint64Text(): string {
    this.varint64();
    return unsignedText(this.lo, this.hi);
  }

  /** A uint64 as a number, exact below 2^53 (nanos of a day, epoch milliseconds). */
  uint64Number(): number {
    this.varint64();
    return this.hi * 0x100000000 + this.lo;
  }

  /** A sint64 (zigzag) as decimal text. */
  sint64Text(): string {
    this.varint64();
    const negative = (this.lo & 1) === 1;
    // zigzag: n = (v >>> 1) ^ -(v & 1), on the two halves.
    let lo = ((this.lo >>> 1) | (this.hi << 31)) >>> 0;
    let hi = this.hi >>> 1;
    if (!negative) return unsignedText(lo, hi);
    // -(m + 1) where m = the shifted value: the magnitude is m + 1.
    lo = (lo + 1) >>> 0;
    if (lo === 0) hi = (hi + 1) >>> 0;
    return `-${unsignedText(lo, hi)}`;
  }

  /** A sint64 (zigzag) as a number, exact within ±2^53 (epoch days and seconds). */
  sint64Number(): number {
    this.varint64();
    const magnitude = (this.hi >>> 1) * TWO_32 + (((this.lo >>> 1) | (this.hi << 31)) >>> 0);
    return (this.lo & 1) === 1 ? -(magnitude + 1) : magnitude;
  }

  /** A sint32 (zigzag). */
  sint32(): number {
    const v = this.uint32();
    return (v >>> 1) ^ -(v & 1);
  }

  double(): number {
    if (this.pos + 8 > this.end) throw new ProtoError("a double runs past the end of its message");
    const value = this.#view.getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }

  /** A length-delimited field's bytes, as a view; `pos` moves past them. */
  delimited(): Uint8Array {
    const length = this.uint32();
    const start = this.pos;
    if (this.hi !== 0 || length > this.end - start)
      throw new ProtoError("a field runs past the end of its message");
    this.pos = start + length;
    return this.bytes.subarray(start, start + length);
  }

  /** The end of a length-delimited field that starts here; `pos` moves to its start. */
  delimitedEnd(): number {
    const length = this.uint32();
    if (this.hi !== 0 || length > this.end - this.pos)
      throw new ProtoError("a field runs past the end of its message");
    return this.pos + length;
  }

  string(): string {
    return utf8Text(this.delimited());
  }

  /** Skips a field of `wireType` this version does not read. */
  skip(wireType: number): void {
    if (wireType === VARINT) this.varint64();
    else if (wireType === FIXED64) this.advance(8);
    else if (wireType === LENGTH_DELIMITED) this.pos = this.delimitedEnd();
    else if (wireType === FIXED32) this.advance(4);
    else throw new ProtoError(`wire type ${wireType} is not one protobuf 3 writes`);
  }

  // --- internal ---

  private advance(n: number): void {
    if (this.pos + n > this.end) throw new ProtoError("a field runs past the end of its message");
    this.pos += n;
  }
}

/** A message that is not valid protobuf; the message quotes nothing of it. */
export class ProtoError extends Error {}

/** One chunk's complete frames (views valid until the next is requested), or why the input cannot go on. */
export type FrameBatch =
  | { frames: Uint8Array[]; problem?: undefined }
  | { frames: Uint8Array[]; problem: string };

/**
 * Bytes → varint32-length-delimited frames. A length above `maxFrameBytes` or a stream that ends
 * inside a frame ends the input with a problem (after the frames before it); nothing of the frame
 * is buffered beyond the limit.
 */
export async function* readFrames(
  chunks: AsyncIterable<Uint8Array>,
  maxFrameBytes: number,
): AsyncGenerator<FrameBatch> {
  let pending: Uint8Array = new Uint8Array(0);
  for await (const chunk of chunks) {
    const bytes = pending.length === 0 ? chunk : concat(pending, chunk);
    const frames: Uint8Array[] = [];
    let at = 0;
    for (;;) {
      const prefix = lengthPrefix(bytes, at);
      if (prefix === undefined) break;
      const [length, start] = prefix;
      if (length > maxFrameBytes) {
        yield { frames, problem: `a frame of ${length} bytes is longer than the limit of ${maxFrameBytes}` };
        return;
      }
      if (start + length > bytes.length) break;
      frames.push(bytes.subarray(start, start + length));
      at = start + length;
    }
    // A copy: the chunk may be reused, and the frames of this batch are handled before the next read.
    pending = at < bytes.length ? bytes.slice(at) : new Uint8Array(0);
    if (frames.length > 0) yield { frames };
  }
  if (pending.length > 0) {
    const prefix = lengthPrefix(pending, 0);
    const told = prefix
      ? `${pending.length - prefix[1]} of the ${prefix[0]} bytes of its last frame`
      : "inside a frame's length";
    yield { frames: [], problem: `it ended with ${told}` };
  }
}

// --- internal ---

/** [length, where the frame starts] of the varint32 prefix at `at`, or undefined when it is incomplete. */
function lengthPrefix(bytes: Uint8Array, at: number): [number, number] | undefined {
  let length = 0;
  for (let i = 0; i < 5; i++) {
    if (at + i >= bytes.length) return undefined;
    const b = bytes[at + i] as number;
    length += (b & 0x7f) * 2 ** (7 * i);
    if (b < 0x80) return [length, at + i + 1];
  }
  // Longer than five bytes: no varint32; reported as a length no limit admits.
  return [Number.POSITIVE_INFINITY, at + 5];
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

const TWO_32 = 0x100000000;

function unsignedText(lo: number, hi: number): string {
  // Below 2^53 a double is exact.
  if (hi < 0x200000) return String(hi * TWO_32 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

const decoder = new TextDecoder();

/** UTF-8 → text; short ASCII (most names and values) without the decoder's call overhead. */
function utf8Text(bytes: Uint8Array): string {
  if (bytes.length > 16) return decoder.decode(bytes);
  let text = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b >= 0x80) return decoder.decode(bytes);
    text += String.fromCharCode(b);
  }
  return text;
}
