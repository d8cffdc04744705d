import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClientTraceWriter } from '../../src/core/client/clientTrace';
import { runNotesClient } from '../../src/core/client/notesClient';
import { decodeTrace, Kind, kindName, TraceSource } from '../../src/core/trace/format';
import { readRecording } from '../../src/core/trace/recording';
import { useFakeServers } from './client-fake-server.support';

const server = useFakeServers();
const quick = [
  { send: '^ab$', waitMs: 10 },
  { send: '^c$', waitMs: 10 },
];

test("the client's events make a trace stream of its own: one lane per connection, on process.hrtime's clock", async () => {
  const { port } = await server();
  const chunks: Uint8Array[] = [];
  const writer = new ClientTraceWriter((bytes) => chunks.push(bytes));
  const before = process.hrtime.bigint();
  const result = await runNotesClient({ port, connections: 2, conversation: quick, onEvent: (e) => writer.event(e) });
  const afterNs = process.hrtime.bigint();
  assert.ok(result.ok);
  const trace = decodeTrace(Buffer.concat(chunks));
  assert.equal(trace.header.source, TraceSource.client);
  assert.equal(trace.names.process, 'client');
  assert.deepEqual([...trace.names.lanes.entries()].sort(), [[0, 'conn0'], [1, 'conn1']]);
  for (const lane of [0, 1]) {
    const mine = trace.records.filter((r) => r.lane === lane);
    const kinds = mine.map((r) => kindName(r.kind)).filter((k) => k !== 'CLIENT_RECEIVE');
    assert.deepEqual(kinds, ['CLIENT_CONNECT', 'CLIENT_CONNECTED', 'CLIENT_ACK', 'CLIENT_SEND', 'CLIENT_SEND', 'CLIENT_CLOSE']);
    assert.equal(mine.filter((r) => r.kind === Kind.CLIENT_RECEIVE).reduce((n, r) => n + r.value, 0), 3, 'received bytes add up: "bc" + "d"');
    assert.deepEqual(mine.filter((r) => r.kind === Kind.CLIENT_SEND).map((r) => r.value), [4, 3]);
    assert.ok(mine.find((r) => r.kind === Kind.CLIENT_CONNECTED)!.value > 0, 'the local port, to match the server side');
    for (const r of mine) assert.ok(r.timeNs >= Number(before) && r.timeNs <= Number(afterNs));
  }
  const { model, problems } = readRecording(Buffer.concat(chunks));
  assert.deepEqual(problems, []);
  assert.equal(model.eventCount, trace.records.length);
});
