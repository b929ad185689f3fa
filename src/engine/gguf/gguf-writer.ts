import { open } from 'node:fs/promises';

/**
 * GGUF v3 serialization: header, metadata key/values, tensor infos, aligned tensor data.
 * Layout (little endian): magic "GGUF", u32 version, u64 tensor count, u64 kv count, kvs, tensor infos,
 * padding to `general.alignment`, then each tensor's bytes at an aligned offset relative to the data start.
 */

/** GGUF metadata value type ids. */
const ValueType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;

/** ggml tensor type ids this writer can emit. */
export const GgmlType = { F32: 0, F16: 1 } as const;
export type GgmlTypeName = keyof typeof GgmlType;

export type GgufValue =
  | { kind: 'u32'; value: number }
  | { kind: 'i32'; value: number }
  | { kind: 'f32'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'string'; value: string }
  | { kind: 'string[]'; value: readonly string[] }
  | { kind: 'f32[]'; value: ArrayLike<number> }
  | { kind: 'i32[]'; value: ArrayLike<number> };

/** Small constructors so metadata tables read like data. */
export const gv = {
  u32: (value: number): GgufValue => ({ kind: 'u32', value }),
  i32: (value: number): GgufValue => ({ kind: 'i32', value }),
  f32: (value: number): GgufValue => ({ kind: 'f32', value }),
  bool: (value: boolean): GgufValue => ({ kind: 'bool', value }),
  str: (value: string): GgufValue => ({ kind: 'string', value }),
  strs: (value: readonly string[]): GgufValue => ({ kind: 'string[]', value }),
  f32s: (value: ArrayLike<number>): GgufValue => ({ kind: 'f32[]', value }),
  i32s: (value: ArrayLike<number>): GgufValue => ({ kind: 'i32[]', value }),
};

export interface GgufTensor {
  name: string;
  /** ggml order: dims[0] is the innermost (contiguous) dimension. */
  dims: readonly number[];
  type: GgmlTypeName;
  /** Produces the tensor's bytes; called once, in file order, so only one tensor is in memory at a time. */
  data: () => Uint8Array;
}

export interface GgufFile {
  metadata: ReadonlyArray<readonly [string, GgufValue]>;
  tensors: readonly GgufTensor[];
  /** Must match `general.alignment` in metadata when that key is present; 32 is the GGUF default. */
  alignment?: number;
}

/** Growable little-endian byte buffer for the header part. */
class ByteSink {
  private buf = Buffer.alloc(1 << 16);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
  u32(v: number): void {
    this.reserve(4);
    this.buf.writeUInt32LE(v >>> 0, this.length);
    this.length += 4;
  }
  i32(v: number): void {
    this.reserve(4);
    this.buf.writeInt32LE(v | 0, this.length);
    this.length += 4;
  }
  u64(v: number): void {
    this.reserve(8);
    this.buf.writeBigUInt64LE(BigInt(v), this.length);
    this.length += 8;
  }
  f32(v: number): void {
    this.reserve(4);
    this.buf.writeFloatLE(v, this.length);
    this.length += 4;
  }
  u8(v: number): void {
    this.reserve(1);
    this.buf.writeUInt8(v, this.length);
    this.length += 1;
  }
  string(s: string): void {
    const bytes = Buffer.from(s, 'utf8');
    this.u64(bytes.length);
    this.reserve(bytes.length);
    bytes.copy(this.buf, this.length);
    this.length += bytes.length;
  }
  pad(alignment: number): void {
    const rem = this.length % alignment;
    if (rem === 0) return;
    const n = alignment - rem;
    this.reserve(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
  }
  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

function writeValue(sink: ByteSink, key: string, v: GgufValue): void {
  sink.string(key);
  switch (v.kind) {
    case 'u32':
      sink.u32(ValueType.UINT32);
      sink.u32(v.value);
      return;
    case 'i32':
      sink.u32(ValueType.INT32);
      sink.i32(v.value);
      return;
    case 'f32':
      sink.u32(ValueType.FLOAT32);
      sink.f32(v.value);
      return;
    case 'bool':
      sink.u32(ValueType.BOOL);
      sink.u8(v.value ? 1 : 0);
      return;
    case 'string':
      sink.u32(ValueType.STRING);
      sink.string(v.value);
      return;
    case 'string[]':
      sink.u32(ValueType.ARRAY);
      sink.u32(ValueType.STRING);
      sink.u64(v.value.length);
      for (const s of v.value) sink.string(s);
      return;
    case 'f32[]':
      sink.u32(ValueType.ARRAY);
      sink.u32(ValueType.FLOAT32);
      sink.u64(v.value.length);
      for (let i = 0; i < v.value.length; i++) sink.f32(v.value[i]!);
      return;
    case 'i32[]':
      sink.u32(ValueType.ARRAY);
      sink.u32(ValueType.INT32);
      sink.u64(v.value.length);
      for (let i = 0; i < v.value.length; i++) sink.i32(v.value[i]!);
      return;
  }
}

/** Bytes a tensor occupies in the file (before alignment padding). */
export function tensorByteSize(dims: readonly number[], type: GgmlTypeName): number {
  const elements = dims.reduce((a, b) => a * b, 1);
  return elements * (type === 'F32' ? 4 : 2);
}

/**
 * Writes a GGUF v3 file to `path`. Tensor data is produced and written one tensor at a time.
 *
 * @example
 * await writeGguf('/tmp/m.gguf', { metadata: [['general.architecture', gv.str('llama')]], tensors: [] });
 */
export async function writeGguf(path: string, file: GgufFile): Promise<void> {
  const alignment = file.alignment ?? 32;
  const header = new ByteSink();
  header.u32(0x46554747); // "GGUF" read as little-endian u32
  header.u32(3);
  header.u64(file.tensors.length);
  header.u64(file.metadata.length);
  for (const [key, value] of file.metadata) writeValue(header, key, value);

  let offset = 0;
  const offsets: number[] = [];
  for (const t of file.tensors) {
    header.string(t.name);
    header.u32(t.dims.length);
    for (const d of t.dims) header.u64(d);
    header.u32(GgmlType[t.type]);
    header.u64(offset);
    offsets.push(offset);
    offset += tensorByteSize(t.dims, t.type);
    offset = Math.ceil(offset / alignment) * alignment;
  }
  header.pad(alignment);

  const fh = await open(path, 'w');
  try {
    await fh.write(header.bytes());
    let written = 0;
    for (const [i, t] of file.tensors.entries()) {
      const expected = tensorByteSize(t.dims, t.type);
      const start = offsets[i]!;
      if (start > written) await fh.write(Buffer.alloc(start - written));
      const data = t.data();
      if (data.byteLength !== expected) {
        throw new Error(`tensor ${t.name}: produced ${data.byteLength} bytes, expected ${expected}`);
      }
      await fh.write(data);
      written = start + expected;
    }
    const end = Math.ceil(written / alignment) * alignment;
    if (end > written) await fh.write(Buffer.alloc(end - written));
  } finally {
    await fh.close();
  }
}
