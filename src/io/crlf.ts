import { mapSource, type Source } from './endpoints.js';

const CR = 0x0d;
const LF = 0x0a;

/**
 * -C: every LF becomes CRLF, an LF already preceded by CR is left alone (nc.openbsd, ncat; not
 * nc.traditional, which converts only the last LF of each read). afterCr says whether the byte
 * before this chunk was a CR, so a CRLF split across two reads stays one CRLF.
 */
export const toCrlf = (chunk: Buffer, afterCr: boolean): Buffer => {
  let extra = 0;
  for (let i = 0; i < chunk.length; i += 1) {
    if (chunk[i] === LF && (i === 0 ? !afterCr : chunk[i - 1] !== CR)) extra += 1;
  }
  if (extra === 0) return chunk;
  const out = Buffer.allocUnsafe(chunk.length + extra);
  let o = 0;
  for (let i = 0; i < chunk.length; i += 1) {
    const byte = chunk[i] ?? 0;
    if (byte === LF && (i === 0 ? !afterCr : chunk[i - 1] !== CR)) out[o++] = CR;
    out[o++] = byte;
  }
  return out;
};

/** The source with -C applied. */
export const crlfSource = (inner: Source): Source => {
  let afterCr = false;
  return mapSource(inner, (chunk) => {
    const out = toCrlf(chunk, afterCr);
    if (chunk.length > 0) afterCr = chunk[chunk.length - 1] === CR;
    return out;
  });
};
