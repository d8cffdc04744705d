/**
 * How a stage's end is classified (asked to stop, crashed, killed from outside, an exit code, a
 * clean exit nobody asked for) and the words of the messages Run Stage and the benchmark show.
 * The messages are written through an `l10n`-shaped formatter, as vscode.l10n fills `{n}`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { constants } from 'node:os';
import {
  benchmarkEndingMessage,
  classifyStageExit,
  CRASH_SIGNALS,
  exitNote,
  lastWordsOf,
  runEndingMessage,
  signalInWords,
  type L10n,
} from '../../src/run/stageExit';

const english: L10n = { t: (message, ...args) => message.replace(/\{(\d+)\}/g, (whole, i: string) => String(args[Number(i)] ?? whole)) };

describe('classifyStageExit', () => {
  it('a fault signal is a crash, whether or not the stage had been asked to stop', () => {
    for (const signal of ['SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGFPE', 'SIGABRT', 'SIGTRAP', 'SIGSYS']) {
      assert.deepEqual(classifyStageExit({ code: null, signal }, false), { kind: 'crashed', signal });
      assert.deepEqual(classifyStageExit({ code: null, signal }, true), { kind: 'crashed', signal });
    }
  });

  it('any other signal is a kill from outside, unless the extension was stopping it (SIGKILL after the grace time)', () => {
    for (const signal of ['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1']) {
      assert.deepEqual(classifyStageExit({ code: null, signal }, false), { kind: 'killed', signal });
      assert.deepEqual(classifyStageExit({ code: null, signal }, true), { kind: 'requested' });
    }
  });

  it('exit code 0 is the asked-for stop, or, unasked, a stop from outside; any other code is a failure either way', () => {
    assert.deepEqual(classifyStageExit({ code: 0, signal: null }, true), { kind: 'requested' });
    assert.deepEqual(classifyStageExit({ code: 0, signal: null }, false), { kind: 'stopped' });
    assert.deepEqual(classifyStageExit({ code: 1, signal: null }, false), { kind: 'failed', code: 1 });
    assert.deepEqual(classifyStageExit({ code: 3, signal: null }, true), { kind: 'failed', code: 3 });
  });

  it('the crash signals are real signals of this platform', () => {
    for (const signal of CRASH_SIGNALS) assert.ok(signal in constants.signals, signal);
  });
});

describe('signalInWords', () => {
  it('says each crash signal in words, with its name', () => {
    assert.equal(signalInWords('SIGSEGV', english), 'segmentation fault (SIGSEGV)');
    assert.equal(signalInWords('SIGABRT', english), 'abort, e.g. a failed assert (SIGABRT)');
    for (const signal of CRASH_SIGNALS) {
      const words = signalInWords(signal, english);
      assert.ok(words.endsWith(`(${signal})`), words);
      assert.ok(!words.startsWith('signal '), `${signal} has words of its own: ${words}`);
    }
    assert.equal(signalInWords('SIGKILL', english), 'kill (SIGKILL)');
  });

  it('names a signal it has no words for', () => {
    assert.equal(signalInWords('SIGUSR2', english), 'signal SIGUSR2');
  });

  it('the terminal note says the signal in words, or the exit code', () => {
    assert.equal(exitNote('06-epoll', { code: null, signal: 'SIGSEGV' }, english), '06-epoll exited (segmentation fault (SIGSEGV)).');
    assert.equal(exitNote('06-epoll', { code: 0, signal: null }, english), '06-epoll exited (code 0).');
  });
});

describe('lastWordsOf', () => {
  it('is the last line with something on it, trimmed and cut to fit', () => {
    assert.equal(lastWordsOf(['listening on 127.0.0.1:1', '  accept: Too many open files  ', '', '   ']), 'accept: Too many open files');
    assert.equal(lastWordsOf([]), undefined);
    assert.equal(lastWordsOf(['x'.repeat(500)], 20), `${'x'.repeat(19)}…`);
  });
});

describe('runEndingMessage', () => {
  it('says nothing about a stop the user asked for', () => {
    assert.equal(runEndingMessage('06-epoll', { kind: 'requested' }, { recorded: true }, english), undefined);
  });

  it('a crash: an error naming the signal in words, what became of the client and the recording, and what to do', () => {
    const message = runEndingMessage('06-epoll', { kind: 'crashed', signal: 'SIGSEGV' }, { recorded: true }, english);
    assert.equal(message?.severity, 'error');
    assert.equal(message?.headline, '06-epoll crashed: segmentation fault (SIGSEGV).');
    assert.equal(
      message?.text,
      '06-epoll crashed: segmentation fault (SIGSEGV). The client was stopped and nothing is left running. ' +
        'The recording up to that moment is kept (Open Recording). ' +
        'Its terminal shows what it printed last: fix the cause, then run it again (Run Stage).',
    );
  });

  it('does not promise a recording when tracing was off', () => {
    const message = runEndingMessage('06-epoll', { kind: 'crashed', signal: 'SIGABRT' }, { recorded: false }, english);
    assert.ok(message && !message.text.includes('recording'), message?.text);
  });

  it('a kill from outside is a warning that says it did not crash by itself', () => {
    const message = runEndingMessage('02-thread-per-client', { kind: 'killed', signal: 'SIGKILL' }, { recorded: true }, english);
    assert.equal(message?.severity, 'warning');
    assert.ok(message?.headline.startsWith('02-thread-per-client was ended by kill (SIGKILL), sent from outside the extension'), message?.headline);
    assert.ok(message?.headline.endsWith('it did not crash by itself.'), message?.headline);
    assert.ok(message?.text.endsWith('Run Stage starts it again.'), message?.text);
  });

  it('an exit code quotes the stage’s last words', () => {
    const message = runEndingMessage('05-select', { kind: 'failed', code: 1 }, { recorded: false, output: ['listening on 127.0.0.1:8080', 'select: Bad file descriptor', ''] }, english);
    assert.equal(message?.severity, 'error');
    assert.equal(message?.headline, '05-select exited with code 1; its last words: "select: Bad file descriptor".');
    assert.equal(runEndingMessage('05-select', { kind: 'failed', code: 2 }, { recorded: false }, english)?.headline, '05-select exited with code 2.');
  });

  it('a clean exit nobody asked for is information, and says what a stage does on SIGTERM', () => {
    const message = runEndingMessage('06-epoll', { kind: 'stopped' }, { recorded: true }, english);
    assert.equal(message?.severity, 'information');
    assert.match(message?.headline ?? '', /^06-epoll stopped by itself with exit code 0, as a stage does on SIGINT or SIGTERM from outside/);
  });
});

describe('benchmarkEndingMessage', () => {
  it('a crash during a point: which point, the finished points kept, what to do', () => {
    const message = benchmarkEndingMessage('06-epoll', { kind: 'crashed', signal: 'SIGSEGV' }, { pointConnections: 10, finished: [1] }, english);
    assert.equal(message?.severity, 'error');
    assert.equal(
      message?.text,
      '06-epoll crashed: segmentation fault (SIGSEGV). It happened during the benchmark point at 10 connections. ' +
        'The finished point (connections: 1) is kept, marked as stopped early. ' +
        'Run Stage shows everything it prints: fix the cause there, then benchmark again. Nothing is left running.',
    );
  });

  it('counts the finished points, or says none is stored', () => {
    const many = benchmarkEndingMessage('06-epoll', { kind: 'crashed', signal: 'SIGBUS' }, { pointConnections: 1000, finished: [1, 10, 100], formatNumber: (n) => n.toLocaleString('en') }, english);
    assert.ok(many?.text.includes('during the benchmark point at 1,000 connections'), many?.text);
    assert.ok(many?.text.includes('The 3 finished points (connections: 1, 10, 100) are kept, marked as stopped early.'), many?.text);
    const none = benchmarkEndingMessage('06-epoll', { kind: 'killed', signal: 'SIGKILL' }, { pointConnections: 1, finished: [] }, english);
    assert.equal(none?.severity, 'warning');
    assert.ok(none?.text.includes('No point had finished, so no result is stored.'), none?.text);
    assert.ok(none?.text.endsWith('Benchmark it again once nothing else stops it. Nothing is left running.'), none?.text);
  });

  it('after the last point, every point is kept', () => {
    const after = benchmarkEndingMessage('06-epoll', { kind: 'stopped' }, { pointConnections: undefined, finished: [1, 10] }, english);
    assert.equal(after?.severity, 'information');
    assert.ok(after?.text.includes('It happened after the last benchmark point had finished. Every point had finished, and all are kept.'), after?.text);
  });

  it('says nothing about a stop the benchmark asked for', () => {
    assert.equal(benchmarkEndingMessage('06-epoll', { kind: 'requested' }, { pointConnections: 1, finished: [] }, english), undefined);
  });
});
