import type { Command } from 'commander';
import type { DiziConfig } from '@dizi/config';
import { createLogger } from '@dizi/logging';
import { Reminders } from '@dizi/notify';
import type { SmsService } from '@dizi/sms';
import { Database, DirectoryRepository, NotifyRepository, ReminderRepository } from '@dizi/store';

/**
 * `dizi reminder add|list|remove`: SMS reminders to a user's bound phone (H7). The CLI
 * writes the rows; the running server's worker queues each occurrence ahead of its time
 * (within `notify.reminderCheckSeconds`).
 */
export function registerReminderCommands(
  program: Command,
  ctx: {
    open: () => Promise<Database>;
    config: DiziConfig;
    withSmsService: <T>(work: (s: SmsService) => Promise<T>) => Promise<T>;
  },
): void {
  // With the SMS service, so that one due soon is queued at once and a removed one's
  // queued SMS is called off, as through the API.
  const withReminders = <T>(work: (r: Reminders) => Promise<T>): Promise<T> =>
    ctx.withSmsService(async (sms) => {
      const d = await ctx.open();
      return work(
        new Reminders(
          new ReminderRepository(d),
          new NotifyRepository(d),
          new DirectoryRepository(d),
          sms,
          {
            timeZone: ctx.config.notify.timeZone,
            checkSeconds: ctx.config.notify.reminderCheckSeconds,
          },
          createLogger('silent'),
        ),
      );
    });
  const reminder = program.command('reminder').description("SMS reminders to a user's phone");
  reminder
    .command('add <user> <text>')
    .requiredOption('--at <time>', 'when (ISO 8601, e.g. 2026-12-24T09:00:00+08:00)')
    .option('--repeat <how>', 'none, daily, weekly or monthly', 'none')
    .action(async (u: string, text: string, o: { at: string; repeat: string }) => {
      const r = await withReminders((rs) => rs.add(u, { at: o.at, text, repeat: o.repeat }));
      console.log(`reminder ${r.id} for ${r.address} at ${r.nextAt}${repeatLabel(r.repeat)}`);
    });
  reminder.command('list <user>').action(async (u: string) => {
    const list = await withReminders((rs) => rs.list(u));
    if (!list.length) console.log(`${u} has no reminders`);
    for (const r of list)
      console.log(`${r.id}\t${r.nextAt ?? 'done'}\t${r.repeat}\tsent ${r.sent}\t${r.text}`);
  });
  reminder.command('remove <user> <id>').action(async (u: string, id: string) => {
    if (!/^\d+$/.test(id)) throw new Error('id must be a whole number');
    await withReminders((rs) => rs.remove(u, Number(id)));
    console.log(`reminder ${id} of ${u} removed`);
  });
}

function repeatLabel(repeat: string): string {
  return repeat === 'none' ? '' : `, then ${repeat}`;
}
