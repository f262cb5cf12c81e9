import type { CommandHandler } from '../session/session-context';

/**
 * RFC 1939 6 QUIT. From the TRANSACTION state it is the UPDATE state: the messages
 * marked deleted get \Deleted and are expunged, only those (another session's \Deleted
 * marks are left alone); messages read whole by RETR get \Seen first.
 */
export const quit: CommandHandler = async (context) => {
  context.afterResponse('close');
  const { state } = context;
  if (state.phase === 'authorization')
    return context.ok(`${context.settings.serverName} signing off`);
  const maildrop = context.maildrop();
  const access = context.access();
  const deletedUids = maildrop.deletedUids();
  const deleted = new Set(deletedUids);
  const seenUids = [...state.retrievedUids].filter((uid) => !deleted.has(uid));
  try {
    if (seenUids.length) await access.storeFlags('INBOX', seenUids, 'add', ['\\Seen']);
    let removed = 0;
    if (deletedUids.length) {
      await access.storeFlags('INBOX', deletedUids, 'add', ['\\Deleted']);
      removed = (await access.expunge('INBOX', deletedUids)).length;
    }
    context.log.info({ user: state.user, removed }, 'pop3 logout');
    context.ok(`${context.settings.serverName} signing off (${removed} messages deleted)`);
  } catch (error) {
    context.log.error({ err: error, user: state.user }, 'pop3 update failed');
    context.err('Some deleted messages not removed', 'SYS/TEMP');
  }
};
