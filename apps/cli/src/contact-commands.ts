import type { Command } from 'commander';
import { ContactBook } from '@dizi/notify';
import { ContactsRepository, Database, DirectoryRepository } from '@dizi/store';

/**
 * `dizi contact add|list|remove`: a user's minimal address book (H3). Send-time SMS
 * notices find a recipient's mobile here by the recipient's e-mail.
 */
export function registerContactCommands(program: Command, open: () => Promise<Database>): void {
  const book = async () => {
    const db = await open();
    return new ContactBook(new ContactsRepository(db), new DirectoryRepository(db));
  };
  const contact = program.command('contact').description("users' address books (SMS notices)");
  contact
    .command('add <user>')
    .description('add a contact to the user’s address book')
    .option('--name <name>', 'the contact’s name', '')
    .requiredOption('--email <address>', 'the contact’s e-mail address')
    .requiredOption('--mobile <number>', 'the contact’s mobile number')
    .action(async (u: string, o: { name: string; email: string; mobile: string }) => {
      const c = await (await book()).add(u, o);
      console.log(`contact ${c.id} added for ${c.owner}: ${describe(c)}`);
    });
  contact.command('list <user>').action(async (u: string) => {
    const list = await (await book()).list(u);
    if (!list.length) console.log(`${u} has no contacts`);
    for (const c of list) console.log(`${c.id}\t${c.name}\t${c.email}\t${c.mobile}`);
  });
  contact
    .command('remove <user> <contact>')
    .description('remove a contact, given by its id or its e-mail')
    .action(async (u: string, which: string) => {
      await (await book()).remove(u, which);
      console.log(`contact ${which} of ${u} removed`);
    });
}

function describe(c: { name: string; email: string; mobile: string }): string {
  return `${c.name ? `${c.name} ` : ''}<${c.email}> ${c.mobile}`;
}
