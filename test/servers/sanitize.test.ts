/**
 * The conformance and bad-peer suite again, against the ASan+UBSan builds (make sanitize): any
 * sanitizer report in a stage's stderr, or a leak report at exit, fails it.
 */
import type { StageId } from '../../src/core/stages';
import { defineConformanceSuite } from './conformance';

const STAGES: readonly { id: StageId; extraArgs?: string[] }[] = [
  { id: '01-sequential' },
  { id: '02-thread-per-client' },
  { id: '03-blocking-io' },
  { id: '04-nonblocking-polling', extraArgs: ['--poll-interval-ms', '10'] },
  { id: '05-select' },
];

for (const { id, extraArgs } of STAGES) defineConformanceSuite(id, { flavour: 'sanitize', extraArgs: extraArgs ?? [] });
