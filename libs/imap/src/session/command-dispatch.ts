import { append } from '../commands/append';
import { authenticate } from '../commands/authenticate';
import { capability } from '../commands/capability';
import { close } from '../commands/close';
import { compress } from '../commands/compress';
import { copyOrMove } from '../commands/copy-move';
import { create } from '../commands/create';
import { deleteMailbox } from '../commands/delete';
import { enable } from '../commands/enable';
import { expunge } from '../commands/expunge';
import { fetch } from '../commands/fetch';
import { id } from '../commands/id';
import { list } from '../commands/list';
import { login } from '../commands/login';
import { logout } from '../commands/logout';
import { namespace } from '../commands/namespace';
import { noop } from '../commands/noop';
import { getQuota, getQuotaRoot, setQuota } from '../commands/quota';
import { rename } from '../commands/rename';
import { search } from '../commands/search';
import { select } from '../commands/select';
import { starttls } from '../commands/starttls';
import { status } from '../commands/status';
import { store } from '../commands/store';
import { subscribe } from '../commands/subscribe';
import type { ImapCommand, ImapCommandName } from '../parser/command-types';
import type { CommandContext, CommandResult } from './command-context';
import type { SessionPhase } from './session-state';

const ANY: readonly SessionPhase[] = ['not-authenticated', 'authenticated', 'selected'];
const NOT_AUTHENTICATED: readonly SessionPhase[] = ['not-authenticated'];
const AUTHENTICATED: readonly SessionPhase[] = ['authenticated', 'selected'];
const SELECTED: readonly SessionPhase[] = ['selected'];

/** Where each command is valid (RFC 3501 6; ENABLE only before SELECT, RFC 5161 3.1). */
const VALID_IN: Record<ImapCommandName, readonly SessionPhase[]> = {
  CAPABILITY: ANY,
  NOOP: ANY,
  LOGOUT: ANY,
  ID: ANY,
  STARTTLS: NOT_AUTHENTICATED,
  LOGIN: NOT_AUTHENTICATED,
  AUTHENTICATE: NOT_AUTHENTICATED,
  ENABLE: ['authenticated'],
  COMPRESS: AUTHENTICATED,
  SELECT: AUTHENTICATED,
  EXAMINE: AUTHENTICATED,
  CREATE: AUTHENTICATED,
  DELETE: AUTHENTICATED,
  RENAME: AUTHENTICATED,
  SUBSCRIBE: AUTHENTICATED,
  UNSUBSCRIBE: AUTHENTICATED,
  LIST: AUTHENTICATED,
  LSUB: AUTHENTICATED,
  STATUS: AUTHENTICATED,
  APPEND: AUTHENTICATED,
  NAMESPACE: AUTHENTICATED,
  IDLE: AUTHENTICATED,
  GETQUOTA: AUTHENTICATED,
  GETQUOTAROOT: AUTHENTICATED,
  SETQUOTA: AUTHENTICATED,
  CHECK: SELECTED,
  CLOSE: SELECTED,
  UNSELECT: SELECTED,
  EXPUNGE: SELECTED,
  SEARCH: SELECTED,
  FETCH: SELECTED,
  STORE: SELECTED,
  COPY: SELECTED,
  MOVE: SELECTED,
};

export function isValidIn(command: ImapCommand, phase: SessionPhase): boolean {
  return VALID_IN[command.name].includes(phase);
}

/** Runs a command's logic. IDLE is started by the session itself (its answer comes later). */
export function dispatch(context: CommandContext, command: ImapCommand): Promise<CommandResult> {
  switch (command.name) {
    case 'CAPABILITY':
      return capability(context);
    case 'NOOP':
    case 'CHECK':
      return noop(context, command.name);
    case 'LOGOUT':
      return logout(context);
    case 'ID':
      return id(context);
    case 'STARTTLS':
      return starttls(context);
    case 'LOGIN':
      return login(context, command.user, command.password);
    case 'AUTHENTICATE':
      return authenticate(context, command.mechanism, command.initialResponse);
    case 'ENABLE':
      return enable(context, command.capabilities);
    case 'COMPRESS':
      return compress(context, command.mechanism);
    case 'SELECT':
    case 'EXAMINE':
      return select(context, command.name, command.mailbox, command.parameters);
    case 'CREATE':
      return create(context, command.mailbox, command.specialUse);
    case 'DELETE':
      return deleteMailbox(context, command.mailbox);
    case 'RENAME':
      return rename(context, command.from, command.to);
    case 'SUBSCRIBE':
    case 'UNSUBSCRIBE':
      return subscribe(context, command.name, command.mailbox);
    case 'LIST':
    case 'LSUB':
      return list(
        context,
        command.name,
        command.reference,
        command.patterns,
        command.selection,
        command.returnOptions,
      );
    case 'STATUS':
      return status(context, command.mailbox, command.items);
    case 'APPEND':
      return append(context, command.mailbox, command.flags, command.internalDate, command.message);
    case 'NAMESPACE':
      return namespace(context);
    case 'GETQUOTA':
      return getQuota(context, command.root);
    case 'GETQUOTAROOT':
      return getQuotaRoot(context, command.mailbox);
    case 'SETQUOTA':
      return setQuota();
    case 'CLOSE':
    case 'UNSELECT':
      return close(context, command.name);
    case 'EXPUNGE':
      return expunge(context, command.uids);
    case 'SEARCH':
      return search(context, command.key, command.uid);
    case 'FETCH':
      return fetch(context, {
        set: command.set,
        byUid: command.uid,
        attributes: command.attributes,
        modifiers: command.modifiers,
      });
    case 'STORE':
      return store(context, {
        set: command.set,
        byUid: command.uid,
        operation: command.operation,
        silent: command.silent,
        flags: command.flags,
        ...(command.unchangedSince !== undefined && { unchangedSince: command.unchangedSince }),
      });
    case 'COPY':
    case 'MOVE':
      return copyOrMove(context, command.name, command.set, command.uid, command.mailbox);
    case 'IDLE':
      throw new Error('IDLE is handled by the session');
  }
}
