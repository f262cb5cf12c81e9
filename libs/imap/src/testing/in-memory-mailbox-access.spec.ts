import { InMemoryMailStore } from './in-memory-mailbox-access';
import { mailboxAccessContract } from './mailbox-access-contract';

let counter = 0;

// The test double must keep the contract the session is tested against.
mailboxAccessContract('in-memory test double', async () => {
  const store = new InMemoryMailStore();
  const user = `user${counter++}`;
  store.addUser(user, 'pw');
  const access = await store.authenticate(user, 'pw');
  const second = await store.authenticate(user, 'pw');
  if (!access || !second) throw new Error('login failed');
  return { access, second };
});
