/**
 * Just enough of the ZIP format to find the members of an .npz: the central directory (ZIP64
 * included: NumPy writes ZIP64 records for large arrays) and where each member's data starts.
 * Sizes come from the central directory, since NumPy streams members and leaves the local header's
 * sizes at zero (with a data descriptor after the data).
 */
import type { ByteSource } from './strided-file';
import { XrfInputError } from '../errors';

export interface ZipMember {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Byte offset of the member's (possibly compressed) data. */
  dataOffset: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;

/** Bytes with little-endian accessors (DataView; Buffer's typings clash with TS 5.9's Uint8Array). */
class Bytes {
  readonly dv: DataView;
  constructor(readonly u8: Uint8Array) {
    this.dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  }
  get length(): number {
    return this.u8.length;
  }
  readUInt16LE(at: number): number {
    return this.dv.getUint16(at, true);
  }
  readUInt32LE(at: number): number {
    return this.dv.getUint32(at, true);
  }
  readBigUInt64LE(at: number): bigint {
    return this.dv.getBigUint64(at, true);
  }
  text(from: number, to: number): string {
    return new TextDecoder('utf-8').decode(this.u8.subarray(from, to));
  }
}

async function readAt(src: ByteSource, pos: number, len: number, file: string): Promise<Bytes> {
  const buf = new Uint8Array(len);
  let got = 0;
  while (got < len) {
    const n = await src.read(got === 0 ? buf : buf.subarray(got), len - got, pos + got);
    if (n === 0) throw new XrfInputError(file, `ZIP structure is truncated (wanted ${len} bytes at ${pos})`);
    got += n;
  }
  return new Bytes(buf);
}

function u64(b: Bytes, at: number): number {
  const v = b.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('ZIP64 value too large');
  return Number(v);
}

export async function listZipMembers(src: ByteSource, file: string): Promise<ZipMember[]> {
  const size = await src.size();
  if (size < 22) throw new XrfInputError(file, `not a ZIP/NPZ archive (${size} bytes)`);
  // The end-of-central-directory record sits in the last 22 + up to 65535 (comment) bytes.
  const tailLen = Math.min(size, 22 + 0xffff);
  const tail = await readAt(src, size - tailLen, tailLen, file);
  let eocd = -1;
  for (let i = tailLen - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new XrfInputError(file, 'not a ZIP/NPZ archive (no end-of-central-directory record; truncated?)');
  let entries = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  const eocdPos = size - tailLen + eocd;
  if ((entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) && eocdPos >= 20) {
    const loc = await readAt(src, eocdPos - 20, 20, file);
    if (loc.readUInt32LE(0) === ZIP64_LOCATOR_SIG) {
      const z = await readAt(src, u64(loc, 8), 56, file);
      if (z.readUInt32LE(0) !== ZIP64_EOCD_SIG) throw new XrfInputError(file, 'corrupt ZIP64 end-of-central-directory record');
      entries = u64(z, 32);
      cdSize = u64(z, 40);
      cdOffset = u64(z, 48);
    }
  }
  if (cdOffset + cdSize > size) throw new XrfInputError(file, 'ZIP central directory lies outside the file (truncated?)');
  const cd = await readAt(src, cdOffset, cdSize, file);
  const members: ZipMember[] = [];
  let p = 0;
  for (let k = 0; k < entries; k++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL_SIG) throw new XrfInputError(file, 'corrupt ZIP central directory');
    const method = cd.readUInt16LE(p + 10);
    let compressedSize = cd.readUInt32LE(p + 20);
    let uncompressedSize = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let localOffset = cd.readUInt32LE(p + 42);
    const name = cd.text(p + 46, p + 46 + nameLen);
    // ZIP64 extra field: the 64-bit values, in this order, for each 32-bit field that is 0xFFFFFFFF.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = cd.readUInt16LE(e);
      const len = cd.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (uncompressedSize === 0xffffffff) (uncompressedSize = u64(cd, q)), (q += 8);
        if (compressedSize === 0xffffffff) (compressedSize = u64(cd, q)), (q += 8);
        if (localOffset === 0xffffffff) localOffset = u64(cd, q);
      }
      e += 4 + len;
    }
    const local = await readAt(src, localOffset, 30, file);
    if (local.readUInt32LE(0) !== LOCAL_SIG) throw new XrfInputError(file, `corrupt ZIP local header for member "${name}"`);
    const dataOffset = localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    if (dataOffset + compressedSize > size) throw new XrfInputError(file, `ZIP member "${name}" is truncated`);
    members.push({ name, method, compressedSize, uncompressedSize, dataOffset });
    p = extraEnd + commentLen;
  }
  return members;
}
