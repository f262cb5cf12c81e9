import type { CommandHandler, Pop3Phase } from '../session/session-context';
import { auth } from './auth';
import { capa } from './capa';
import { dele } from './dele';
import { list } from './list';
import { pass, user } from './login';
import { noop } from './noop';
import { quit } from './quit';
import { retr } from './retr';
import { rset } from './rset';
import { stat } from './stat';
import { stls } from './stls';
import { top } from './top';
import { uidl } from './uidl';

export interface CommandEntry {
  readonly phases: readonly Pop3Phase[];
  readonly run: CommandHandler;
}

const AUTHORIZATION: readonly Pop3Phase[] = ['authorization'];
const TRANSACTION: readonly Pop3Phase[] = ['transaction'];
const ANY: readonly Pop3Phase[] = ['authorization', 'transaction'];

/** Every command Dizi knows, with the RFC 1939 states it is valid in. */
export const COMMANDS: ReadonlyMap<string, CommandEntry> = new Map([
  ['USER', { phases: AUTHORIZATION, run: user }],
  ['PASS', { phases: AUTHORIZATION, run: pass }],
  ['AUTH', { phases: AUTHORIZATION, run: auth }],
  ['STLS', { phases: AUTHORIZATION, run: stls }],
  ['CAPA', { phases: ANY, run: capa }],
  ['QUIT', { phases: ANY, run: quit }],
  ['STAT', { phases: TRANSACTION, run: stat }],
  ['LIST', { phases: TRANSACTION, run: list }],
  ['UIDL', { phases: TRANSACTION, run: uidl }],
  ['RETR', { phases: TRANSACTION, run: retr }],
  ['TOP', { phases: TRANSACTION, run: top }],
  ['DELE', { phases: TRANSACTION, run: dele }],
  ['NOOP', { phases: TRANSACTION, run: noop }],
  ['RSET', { phases: TRANSACTION, run: rset }],
]);
