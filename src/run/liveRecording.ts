/**
 * The extension host's own reading of a run's recording, as it grows: one model that the source
 * annotations and the moment detector both read. Batches arrive often; the readers are told at
 * most every half second, and once more at the end.
 */
import { RecordingReader } from '../core/trace/recording';
import { type TraceModel } from '../core/trace/model';
import { MomentDetector, type DetectedMoment } from '../core/notes/momentDetector';
import { type StageId } from '../core/stages';

export interface LiveRecordingListener {
  /** The model changed (throttled). */
  modelChanged(model: TraceModel): void;
  /** Moments the recording reached for the first time. */
  momentsReached(moments: readonly DetectedMoment[], model: TraceModel): void;
}

const REFRESH_MS = 500;

export class LiveRecording {
  private readonly reader = new RecordingReader();
  private readonly detector: MomentDetector;
  private timer: NodeJS.Timeout | undefined;
  private finished = false;

  constructor(
    stage: StageId,
    private readonly listener: LiveRecordingListener,
  ) {
    this.detector = new MomentDetector(this.reader.model, { stage });
  }

  get model(): TraceModel {
    return this.reader.model;
  }

  append(bytes: Uint8Array): void {
    if (this.finished) return;
    this.reader.push(bytes);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.publish(this.detector.update());
    }, REFRESH_MS);
  }

  /** The recording is complete. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.timer);
    this.reader.finish();
    this.publish([...this.detector.update(), ...this.detector.finish()]);
  }

  private publish(moments: readonly DetectedMoment[]): void {
    this.listener.modelChanged(this.reader.model);
    if (moments.length) this.listener.momentsReached(moments, this.reader.model);
  }
}
