import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextOccurrence, occurrence } from './reminder-schedule';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

test('daily and weekly keep the local time of day (Asia/Shanghai)', () => {
  const anchor = Date.parse('2026-12-02T09:30:00+08:00');
  assert.equal(iso(occurrence(anchor, 1, 'daily', 'Asia/Shanghai')), '2026-12-03T01:30:00.000Z');
  assert.equal(iso(occurrence(anchor, 30, 'daily', 'Asia/Shanghai')), '2027-01-01T01:30:00.000Z');
  assert.equal(iso(occurrence(anchor, 2, 'weekly', 'Asia/Shanghai')), '2026-12-16T01:30:00.000Z');
});

test('monthly on the 31st falls on the last day of short months and comes back', () => {
  const anchor = Date.parse('2027-01-31T08:00:00+08:00');
  const z = 'Asia/Shanghai';
  assert.equal(iso(occurrence(anchor, 1, 'monthly', z)), '2027-02-28T00:00:00.000Z');
  assert.equal(iso(occurrence(anchor, 2, 'monthly', z)), '2027-03-31T00:00:00.000Z');
  assert.equal(iso(occurrence(anchor, 3, 'monthly', z)), '2027-04-30T00:00:00.000Z');
  assert.equal(iso(occurrence(anchor, 13, 'monthly', z)), '2028-02-29T00:00:00.000Z', 'leap year');
  assert.equal(iso(occurrence(anchor, 12, 'monthly', z)), '2028-01-31T00:00:00.000Z');
});

test('a daily reminder keeps 09:00 local across a DST change (America/New_York)', () => {
  const anchor = Date.parse('2027-03-13T09:00:00-05:00'); // the day before DST starts
  const z = 'America/New_York';
  assert.equal(iso(occurrence(anchor, 1, 'daily', z)), '2027-03-14T13:00:00.000Z', 'EDT, -4');
  assert.equal(iso(occurrence(anchor, 0, 'daily', z)), '2027-03-13T14:00:00.000Z');
});

test('nextOccurrence is the first strictly after the given time', () => {
  const anchor = Date.parse('2026-12-02T09:30:00+08:00');
  const z = 'Asia/Shanghai';
  assert.equal(nextOccurrence(anchor, 'none', z, anchor - 1), anchor);
  assert.equal(nextOccurrence(anchor, 'none', z, anchor), null, 'a one-off is done once due');
  assert.equal(iso(nextOccurrence(anchor, 'daily', z, anchor)), '2026-12-03T01:30:00.000Z');
  const later = Date.parse('2027-06-15T12:00:00+08:00');
  assert.equal(iso(nextOccurrence(anchor, 'daily', z, later)), '2027-06-16T01:30:00.000Z');
  assert.equal(iso(nextOccurrence(anchor, 'weekly', z, later)), '2027-06-16T01:30:00.000Z');
  assert.equal(iso(nextOccurrence(anchor, 'monthly', z, later)), '2027-07-02T01:30:00.000Z');
});
