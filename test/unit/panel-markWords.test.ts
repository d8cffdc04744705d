import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PANEL_STRINGS_EN, PANEL_STRINGS_KO } from '../../src/core/panel/strings';
import { MARK_THEME_COLOR, markStringKey, STAGE_STATES, valueStringKey } from '../../src/core/trace/states';
import { CloseReason, Kind, WorkOutcome } from '../../src/core/trace/format';
import type { TraceKindName } from '../../src/core/trace/format';
import { MOMENTS, momentStringKey } from '../../src/core/notes/moments';

test('every mark a stage can show has words in English and Korean', () => {
  const marks = new Set<TraceKindName>([...Object.keys(MARK_THEME_COLOR) as TraceKindName[], ...Object.values(STAGE_STATES).flatMap((s) => s.marks)]);
  assert.ok(marks.size >= 10, `${marks.size} marks`);
  for (const mark of marks) {
    const key = markStringKey(mark);
    assert.equal(typeof PANEL_STRINGS_EN[key], 'string', `${mark}: ${key} in English`);
    assert.equal(typeof PANEL_STRINGS_KO[key], 'string', `${mark}: ${key} in Korean`);
    assert.notEqual(PANEL_STRINGS_KO[key], PANEL_STRINGS_EN[key], `${mark}: translated`);
  }
  assert.equal(markStringKey('CONN_ACCEPTED'), 'markConnAccepted');
  assert.equal(PANEL_STRINGS_EN[markStringKey('WORK_SUBMITTED')], 'work handed to the pool');
});

test('every moment of the notes has its title in the panel’s English and Korean strings, as moments.ts says it', () => {
  for (const moment of MOMENTS) {
    const key = momentStringKey(moment.id);
    assert.equal(PANEL_STRINGS_EN[key], moment.title.en, `${moment.id}: ${key} in English`);
    assert.equal(PANEL_STRINGS_KO[key], moment.title.ko, `${moment.id}: ${key} in Korean`);
  }
  assert.equal(momentStringKey('first-eagain'), 'momentFirstEagain');
});

test('the codes in a value have words: a connection refused at a limit reads "refused"', () => {
  const coded: [number, readonly number[]][] = [
    [Kind.CONN_CLOSED, Object.values(CloseReason)],
    [Kind.WORK_DONE, Object.values(WorkOutcome)],
  ];
  for (const [kind, values] of coded) {
    for (const value of values) {
      const key = valueStringKey(kind, value);
      assert.ok(key, `${kind}/${value} has words`);
      assert.equal(typeof PANEL_STRINGS_EN[key], 'string');
      assert.notEqual(PANEL_STRINGS_KO[key], PANEL_STRINGS_EN[key], `${key}: translated`);
    }
  }
  assert.equal(PANEL_STRINGS_EN[valueStringKey(Kind.CONN_CLOSED, CloseReason.refused)!], 'refused at a limit');
  assert.equal(valueStringKey(Kind.RECV_END, 6), undefined, 'a count is its own words');
});
