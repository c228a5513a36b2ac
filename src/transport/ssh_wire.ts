/** Reading the SSH wire encoding (RFC 4251 §5): strings, uint32, uint64, one field after another. */
export class WireReader {
  private offset = 0;

  constructor(private readonly data: Buffer) {}

  get position(): number {
    return this.offset;
  }

  get done(): boolean {
    return this.offset === this.data.length;
  }

  private need(bytes: number): void {
    if (this.offset + bytes > this.data.length) throw new Error('truncated');
  }

  uint32(): number {
    this.need(4);
    const value = this.data.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  uint64(): bigint {
    this.need(8);
    const value = this.data.readBigUInt64BE(this.offset);
    this.offset += 8;
    return value;
  }

  bytes(): Buffer {
    const length = this.uint32();
    this.need(length);
    const value = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  text(): string {
    return this.bytes().toString('utf8');
  }
}

/** The strings packed one after another in a string field (a certificate's principals, options). */
export function packedStrings(data: Buffer): Buffer[] {
  const reader = new WireReader(data);
  const out: Buffer[] = [];
  while (!reader.done) out.push(reader.bytes());
  return out;
}

export function wireString(value: Buffer | string): Buffer {
  const body = typeof value === 'string' ? Buffer.from(value) : value;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([length, body]);
}
