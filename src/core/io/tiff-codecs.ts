/**
 * TIFF segment codecs for map files: the compressions and predictors that image tools write when
 * asked to save smaller files (Fiji/ImageJ and PIL: LZW, PackBits; tifffile, GDAL, PIL: Deflate, often
 * with a predictor). Each takes one strip's or tile's bytes and returns them as stored uncompressed.
 * Throws a plain Error on corrupt data; the reader turns it into an XrfInputError naming the file.
 */
import { inflateSync } from 'node:zlib';

export const TIFF_COMPRESSIONS: Record<number, string> = {
  1: 'none',
  5: 'LZW',
  8: 'Deflate',
  32946: 'Deflate (old code)',
  32773: 'PackBits',
};

/** The uncompressed bytes of one segment; `expected` bounds the output (a corrupt stream cannot run away). */
export function decompressSegment(compression: number, src: Uint8Array, expected: number): Uint8Array {
  switch (compression) {
    case 1:
      return src;
    case 5:
      return lzwDecode(src, expected);
    case 8:
    case 32946: {
      const b = inflateSync(src, { maxOutputLength: Math.max(expected, 1) });
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    }
    case 32773:
      return packBitsDecode(src, expected);
    default:
      throw new Error(`compression ${compression} is not supported`);
  }
}

/**
 * TIFF LZW (TIFF 6.0 §13): MSB-first codes of 9 to 12 bits, 256 = clear, 257 = end, and the code width
 * grows one code early (at 511, 1023, 2047), as libtiff writes it.
 */
export function lzwDecode(src: Uint8Array, expected: number): Uint8Array {
  const out = new Uint8Array(expected);
  const prefix = new Int32Array(4096);
  const suffix = new Uint8Array(4096);
  const length = new Uint16Array(4096);
  for (let i = 0; i < 256; i++) {
    prefix[i] = -1;
    suffix[i] = i;
    length[i] = 1;
  }
  let width = 9;
  let next = 258;
  let old = -1;
  let pos = 0;
  let bitBuf = 0;
  let bitCount = 0;
  let at = 0;
  // Writes the string of `code` at out[pos…]; returns its first byte.
  const emit = (code: number): number => {
    const n = length[code];
    let end = pos + n;
    if (end > expected) throw new Error('LZW data decodes to more bytes than the segment holds');
    let c = code;
    while (c >= 0) {
      out[--end] = suffix[c];
      c = prefix[c];
    }
    pos += n;
    return out[pos - n];
  };
  for (;;) {
    while (bitCount < width) {
      if (at >= src.length) return pos === expected ? out : out.subarray(0, pos); // no end code: tolerated, as libtiff does
      bitBuf = ((bitBuf << 8) | src[at++]) >>> 0;
      bitCount += 8;
    }
    const code = (bitBuf >>> (bitCount - width)) & ((1 << width) - 1);
    bitCount -= width;
    bitBuf &= (1 << bitCount) - 1;
    if (code === 257) break;
    if (code === 256) {
      width = 9;
      next = 258;
      old = -1;
      continue;
    }
    if (old < 0) {
      if (code > 255) throw new Error(`LZW data starts with code ${code}, not a byte`);
      emit(code);
      old = code;
      continue;
    }
    if (code > next) throw new Error(`LZW code ${code} is beyond the table (${next})`);
    let first: number;
    if (code < next) {
      first = emit(code);
    } else {
      // The code being defined by this very step: old's string plus its own first byte.
      first = emit(old);
      if (pos >= expected) throw new Error('LZW data decodes to more bytes than the segment holds');
      out[pos++] = first;
    }
    if (next < 4096) {
      prefix[next] = old;
      suffix[next] = first;
      length[next] = length[old] + 1;
      next++;
      if (next >= (1 << width) - 1 && width < 12) width++;
    }
    old = code;
  }
  return pos === expected ? out : out.subarray(0, pos);
}

/** PackBits (Apple; TIFF 6.0 §9): n ≥ 0 copies n + 1 bytes, −127 ≤ n ≤ −1 repeats the next byte 1 − n times. */
export function packBitsDecode(src: Uint8Array, expected: number): Uint8Array {
  const out = new Uint8Array(expected);
  let pos = 0;
  let at = 0;
  while (at < src.length && pos < expected) {
    const n = (src[at++] << 24) >> 24;
    if (n >= 0) {
      if (at + n + 1 > src.length || pos + n + 1 > expected) throw new Error('PackBits run beyond the data');
      out.set(src.subarray(at, at + n + 1), pos);
      at += n + 1;
      pos += n + 1;
    } else if (n !== -128) {
      if (at >= src.length || pos + 1 - n > expected) throw new Error('PackBits run beyond the data');
      out.fill(src[at++], pos, pos + 1 - n);
      pos += 1 - n;
    }
  }
  return pos === expected ? out : out.subarray(0, pos);
}

/**
 * Undoes Predictor 2 (horizontal differencing) in place: each sample of a row was stored as its difference
 * to the one before, as an integer of the sample's width in the file's byte order (libtiff applies it to
 * float bit patterns too, so we do the same).
 */
export function undoHorizontalPredictor(buf: Uint8Array, rowSamples: number, rows: number, bytesPerSample: number, littleEndian: boolean): void {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const rowBytes = rowSamples * bytesPerSample;
  for (let r = 0; r < rows; r++) {
    const base = r * rowBytes;
    if (bytesPerSample === 1) {
      for (let i = 1; i < rowSamples; i++) buf[base + i] = (buf[base + i] + buf[base + i - 1]) & 0xff;
    } else if (bytesPerSample === 2) {
      let prev = dv.getUint16(base, littleEndian);
      for (let i = 1; i < rowSamples; i++) {
        prev = (prev + dv.getUint16(base + 2 * i, littleEndian)) & 0xffff;
        dv.setUint16(base + 2 * i, prev, littleEndian);
      }
    } else if (bytesPerSample === 4) {
      let prev = dv.getUint32(base, littleEndian);
      for (let i = 1; i < rowSamples; i++) {
        prev = (prev + dv.getUint32(base + 4 * i, littleEndian)) >>> 0;
        dv.setUint32(base + 4 * i, prev, littleEndian);
      }
    } else {
      throw new Error(`horizontal predictor for ${bytesPerSample * 8}-bit samples is not supported`);
    }
  }
}

/**
 * Undoes Predictor 3 (floating point, Adobe TIFF tech note 3): per row, the bytes were split into planes
 * (most significant byte of every sample first) and then byte-differenced across the row. Returns the
 * samples little-endian, whatever the file's byte order.
 */
export function undoFloatPredictor(buf: Uint8Array, rowSamples: number, rows: number, bytesPerSample: number): Uint8Array {
  const rowBytes = rowSamples * bytesPerSample;
  const out = new Uint8Array(rows * rowBytes);
  for (let r = 0; r < rows; r++) {
    const base = r * rowBytes;
    for (let i = 1; i < rowBytes; i++) buf[base + i] = (buf[base + i] + buf[base + i - 1]) & 0xff;
    for (let s = 0; s < rowSamples; s++) {
      for (let b = 0; b < bytesPerSample; b++) out[base + s * bytesPerSample + b] = buf[base + (bytesPerSample - 1 - b) * rowSamples + s];
    }
  }
  return out;
}
