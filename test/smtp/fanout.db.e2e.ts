import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DiziHarness } from '../support/dizi-harness';
import { swaks } from '../support/peers';

// Aliases and groups fan out (M8): alias targets, group members, wildcard members,
// and the who-may-post policies.
describe('aliases and groups', () => {
  let dizi: DiziHarness;
  const send = (from: string, to: string, subject: string) =>
    swaks([
      '--server',
      `127.0.0.1:${dizi.smtpPort}`,
      '--from',
      from,
      '--to',
      to,
      '--header',
      `Subject: ${subject}`,
    ]);

  before(async () => {
    dizi = await DiziHarness.start({ http: false });
    for (const u of ['ann@corp.test', 'ben@corp.test', 'cat@corp.test', 'dan@other.test'])
      await dizi.addUser(u);
    const dir = dizi.services.directory;
    await dir.addAlias('sales@corp.test', ['ann@corp.test', 'ben@corp.test']);
    await dir.addGroup('all@corp.test', { postPolicy: 'anyone' });
    await dir.addGroupMember('all@corp.test', '*@corp.test');
    await dir.addGroup('team@corp.test', { postPolicy: 'members' });
    await dir.addGroupMember('team@corp.test', 'cat@corp.test');
    await dir.addGroupMember('team@corp.test', 'dan@other.test');
    await dir.addGroup('staff@corp.test', { postPolicy: 'domain' });
    await dir.addGroupMember('staff@corp.test', 'ann@corp.test');
  });
  after(() => dizi.stop());

  test('an alias delivers to each of its targets once', async () => {
    const r = await send('x@remote.test', 'sales@corp.test', 'to sales');
    assert.equal(r.code, 0, r.stdout);
    const ann = await dizi.waitForMessages('ann@corp.test', 1);
    const ben = await dizi.waitForMessages('ben@corp.test', 1);
    assert.equal(ann[0].subject, 'to sales');
    assert.equal(ben[0].subject, 'to sales');
    assert.equal(ann[0].blobId, ben[0].blobId, 'the raw message is stored once for both copies');
  });

  test('a wildcard member *@domain reaches every user of the domain', async () => {
    await send('x@remote.test', 'all@corp.test', 'to all');
    for (const u of ['ann@corp.test', 'ben@corp.test', 'cat@corp.test']) {
      const msgs = await dizi.waitForMessages(u, 1);
      assert.ok(
        msgs.some((m) => m.subject === 'to all'),
        u,
      );
    }
    assert.equal((await dizi.messages('dan@other.test')).length, 0);
  });

  test('members-only and domain-only groups refuse outsiders at RCPT time', async () => {
    const outsider = await send('x@remote.test', 'team@corp.test', 'outsider');
    assert.match(outsider.stdout, /550 5\.7\.1 <team@corp\.test>: only members may post/);
    const member = await send('dan@other.test', 'team@corp.test', 'from a member');
    assert.equal(member.code, 0, member.stdout);
    const dan = await dizi.waitForMessages('dan@other.test', 1);
    assert.equal(dan[0].subject, 'from a member');
    const wrongDomain = await send('x@remote.test', 'staff@corp.test', 'nope');
    assert.match(
      wrongDomain.stdout,
      /550 5\.7\.1 <staff@corp\.test>: only senders of corp\.test may post/,
    );
  });

  test('a message to a user and to an alias of the same user is stored once', async () => {
    const before = (await dizi.messages('ann@corp.test')).length;
    const r = await swaks([
      '--server',
      `127.0.0.1:${dizi.smtpPort}`,
      '--from',
      'x@remote.test',
      '--to',
      'ann@corp.test,sales@corp.test',
      '--header',
      'Subject: once',
    ]);
    assert.equal(r.code, 0, r.stdout);
    await dizi.waitForMessages('ben@corp.test', 3);
    const ann = await dizi.messages('ann@corp.test');
    assert.equal(ann.filter((m) => m.subject === 'once').length, 1);
    assert.equal(ann.length, before + 1);
  });
});
