/**
 * Recording files on disk (Node only), read a chunk at a time so that memory does not grow with
 * the file: `readChunks` for readers that keep only what they need (the streaming export of
 * chromeStream.ts), `loadRecording` for those that build the whole model (Open Recording, `trace
 * requests`). The webview reads the same bytes from messages.
 */
import { open } from 'node:fs/promises';
import { RecordingReader } from './recording';
import type { TraceModel } from './model';

/** Bytes read at a time. */
const CHUNK_BYTES = 1 << 20;

/**
 * Gives a recording's bytes in order to `each`, once per call, up to `limit` bytes; `each`
 * returning false stops early. Resolves with the bytes given.
 */
export type ChunkSource = (each: (chunk: Uint8Array) => boolean | Promise<boolean>, limit?: number) => Promise<number>;

/** Reads a file chunk by chunk into `each` (a fresh array each time: it may be kept). */
export async function readChunks(path: string, each: (chunk: Uint8Array) => boolean | Promise<boolean>, options: { readonly limit?: number } = {}): Promise<number> {
  const limit = options.limit ?? Infinity;
  const file = await open(path, 'r');
  try {
    let total = 0;
    while (total < limit) {
      const buffer = new Uint8Array(Math.min(CHUNK_BYTES, limit - total));
      const { bytesRead } = await file.read(buffer, 0, buffer.length, total);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (!(await each(buffer.subarray(0, bytesRead)))) break;
    }
    return total;
  } finally {
    await file.close();
  }
}

export interface LoadedRecording {
  readonly model: TraceModel;
  /** Damage found while reading (a cut-off tail, a stream that was not a trace); may be empty. */
  readonly problems: readonly string[];
}

/** Reads a recording (or a plain trace file) chunk by chunk into a model. */
export async function loadRecording(path: string): Promise<LoadedRecording> {
  const reader = new RecordingReader();
  await readChunks(path, (chunk) => {
    reader.push(chunk);
    return true;
  });
  return { model: reader.model, problems: reader.finish() };
}
