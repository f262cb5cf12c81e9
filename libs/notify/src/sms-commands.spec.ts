import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowedCommands, generatePassword, helpText } from './sms-commands';

describe('SMS command settings and texts', () => {
  it('a domain allows the listed commands; unknown words are ignored', () => {
    assert.deepEqual(allowedCommands({ smsCommands: 'register,password,cancel,unread' }), [
      'register',
      'password',
      'cancel',
      'unread',
    ]);
    assert.deepEqual(allowedCommands({ smsCommands: ' Unread , bogus,password' }), [
      'password',
      'unread',
    ]);
    assert.deepEqual(allowedCommands({ smsCommands: '' }), []);
  });

  it('the help SMS names the allowed commands in both languages and how to mail', () => {
    const all = helpText(['password', 'cancel', 'unread']);
    assert.match(all, /密码\/MM 新密码；注销\/ZX 注销邮箱；未读\/WD 未读邮件；发邮件：地址 内容/);
    assert.match(all, /HELP: PWD newpass, CANCEL, UNREAD; "address text" mails it\./);
    const none = helpText([]);
    assert.match(none, /^发邮件：地址 内容/);
    assert.doesNotMatch(none, /ZX|CANCEL/);
  });

  it('generated passwords pass the policy and avoid look-alikes', () => {
    for (let i = 0; i < 200; i++) {
      const p = generatePassword();
      assert.equal(p.length, 10);
      assert.match(p, /\d/);
      assert.match(p, /[a-zA-Z]/);
      assert.doesNotMatch(p, /[0O1lI]/);
    }
  });
});
