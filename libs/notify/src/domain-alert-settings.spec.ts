import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DiziError } from '@dizi/errors';
import { checkAlertTemplate } from './domain-alert-settings';

describe('checkAlertTemplate', () => {
  it('takes a template with {subject} or {body}, trimmed', () => {
    assert.equal(checkAlertTemplate('  【{from}】{subject}  '), '【{from}】{subject}');
    assert.equal(checkAlertTemplate('{body}'), '{body}');
  });

  it('refuses one without subject or body, with an unknown field, or too long', () => {
    const refused = (t: string, re: RegExp) =>
      assert.throws(
        () => checkAlertTemplate(t),
        (e: unknown) => e instanceof DiziError && e.field === 'template' && re.test(e.message),
      );
    refused('{from} {time}', /must contain \{subject\} or \{body\}/);
    refused('{subject} {sender}', /\{sender\} is not a template field/);
    refused(`{body}${'x'.repeat(500)}`, /longer than 500/);
  });
});
