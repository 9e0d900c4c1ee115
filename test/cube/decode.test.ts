/** decode.ts's two entry points: decodeSamples may swap the reader's own buffer, decodeSamplesOf never touches the caller's. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSamples, decodeSamplesOf } from '../../src/core/cube/decode';
import { decodeEdf } from '../../src/core/io/edf-read';

function bigEndianU16(values: number[], lead = 0): Uint8Array {
  const b = new Uint8Array(lead + values.length * 2);
  const dv = new DataView(b.buffer);
  values.forEach((v, i) => dv.setUint16(lead + i * 2, v, false));
  return b;
}

test('decodeSamplesOf decodes the other byte order without changing the bytes it was given', () => {
  const bytes = bigEndianU16([1, 258, 65535]);
  const before = Uint8Array.from(bytes);
  const out = new Float32Array(5);
  decodeSamplesOf(bytes, { dtype: 'u2', littleEndian: false }, 3, out, 1);
  assert.deepEqual([...out], [0, 1, 258, 65535, 0]);
  assert.deepEqual(bytes, before, 'the caller\'s bytes are as they were');
  decodeSamplesOf(bytes, { dtype: 'u2', littleEndian: false }, 3, out, 1);
  assert.deepEqual([...out], [0, 1, 258, 65535, 0], 'so decoding twice gives the same values');
  // decodeSamples owns its buffer: it swaps in place (why readers of whole files use decodeSamplesOf).
  decodeSamples(bytes, { dtype: 'u2', littleEndian: false }, 3, out);
  assert.notDeepEqual(bytes, before);
});

test('decodeSamplesOf reads samples at an odd offset and 64-bit integers', () => {
  const odd = bigEndianU16([7, 9], 1).subarray(1);
  const out = new Float32Array(2);
  decodeSamplesOf(odd, { dtype: 'u2', littleEndian: false }, 2, out);
  assert.deepEqual([...out], [7, 9]);
  const big = new Uint8Array(16);
  new DataView(big.buffer).setBigInt64(8, -5n, true);
  decodeSamplesOf(big, { dtype: 'i8', littleEndian: true }, 2, out);
  assert.deepEqual([...out], [0, -5]);
});

test('an EDF held in memory decodes the same twice (its bytes are not swapped by the first read)', () => {
  const data = bigEndianU16([1, 2, 3, 400]);
  let head = '{\nHeaderID = EH:000001:000000:000000 ;\nByteOrder = HighByteFirst ;\nDataType = UnsignedShort ;\nDim_1 = 2 ;\nDim_2 = 2 ;\nSize = 8 ;\n';
  head = head.padEnd(510, ' ') + '}\n';
  const file = new Uint8Array(head.length + data.length);
  file.set(new TextEncoder().encode(head));
  file.set(data, head.length);
  const a = decodeEdf(file, 'mem.edf')[0].data;
  const b = decodeEdf(file, 'mem.edf')[0].data;
  assert.deepEqual([...a], [1, 2, 3, 400]);
  assert.deepEqual([...b], [...a]);
});
