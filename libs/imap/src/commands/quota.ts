import { fromClientName, toClientName } from '../mailbox-name/mailbox-path';
import { Atom, type ImapValue } from '../response/imap-value';
import { untagged } from '../response/responses';
import { type CommandContext, type CommandResult, no, ok } from '../session/command-context';

/** Dizi has one quota root per user, named "" (RFC 9208). */
const ROOT = '';

async function quotaLine(context: CommandContext): Promise<Buffer> {
  const usage = await context.access().getQuota();
  const resources: ImapValue[] = [];
  if (usage.storageLimitBytes !== undefined) {
    // STORAGE is counted in units of 1024 octets.
    resources.push(
      new Atom('STORAGE'),
      Math.ceil(usage.storageUsedBytes / 1024),
      Math.floor(usage.storageLimitBytes / 1024),
    );
  }
  if (usage.messageLimit !== undefined) {
    resources.push(new Atom('MESSAGE'), usage.messageCount, usage.messageLimit);
  }
  return untagged([new Atom('QUOTA'), ROOT, resources]);
}

export async function getQuota(context: CommandContext, root: string): Promise<CommandResult> {
  if (root !== ROOT) return no('No such quota root', 'NONEXISTENT');
  context.send(await quotaLine(context));
  return ok('GETQUOTA completed');
}

export async function getQuotaRoot(
  context: CommandContext,
  mailbox: string,
): Promise<CommandResult> {
  const name = fromClientName(mailbox);
  await context.access().selectFolder(name, { claimRecent: false });
  context.send(untagged([new Atom('QUOTAROOT'), toClientName(name), ROOT]));
  context.send(await quotaLine(context));
  return ok('GETQUOTAROOT completed');
}

/** Quotas are set by the administrator (CLI, web admin), not by users over IMAP. */
export async function setQuota(): Promise<CommandResult> {
  return no('Quotas are set by the administrator', 'NOPERM');
}
