/**
 * Opening a recording file from disk (Node only): the command line's `trace export` and the
 * extension's Open Recording read through here; the webview reads the same bytes from messages.
 */
import { createReadStream } from 'node:fs';
import { RecordingReader } from './recording';
import type { TraceModel } from './model';

export interface LoadedRecording {
  readonly model: TraceModel;
  /** Damage found while reading (a cut-off tail, a stream that was not a trace); may be empty. */
  readonly problems: readonly string[];
}

/** Reads a recording (or a plain trace file) chunk by chunk into a model. */
export async function loadRecording(path: string): Promise<LoadedRecording> {
  const reader = new RecordingReader();
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const buffer = chunk as Buffer;
    reader.push(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
  }
  return { model: reader.model, problems: reader.finish() };
}
