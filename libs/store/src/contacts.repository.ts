import { In } from 'typeorm';
import { Database } from './database';
import { ContactEntity, UserPhoneEntity } from './entities';

export type NewContact = Pick<ContactEntity, 'userId' | 'name' | 'email' | 'mobile'>;

/** Look-ups with many addresses are split so no statement carries too many parameters. */
const CHUNK = 500;

/** SQL for the minimal address book (H3) and the numbers send-time notices go to. */
export class ContactsRepository {
  constructor(private readonly db: Database) {}

  /**
   * Adds a contact, in one transaction with the check that the owner has no other
   * contact with that e-mail (a notice must not have two numbers to choose from).
   */
  add(contact: NewContact): Promise<{ row: ContactEntity } | { existing: ContactEntity }> {
    return this.db.tx(async (m) => {
      if (contact.email) {
        const existing = await m.findOneBy(ContactEntity, {
          userId: contact.userId,
          email: contact.email,
        });
        if (existing) return { existing };
      }
      const now = Date.now();
      const row = await m.save(
        m.create(ContactEntity, { ...contact, createdAt: now, updatedAt: now }),
      );
      return { row };
    });
  }

  list(userId: number): Promise<ContactEntity[]> {
    return this.db.run((m) =>
      m.find(ContactEntity, { where: { userId }, order: { name: 'ASC', id: 'ASC' } }),
    );
  }

  /** Removes one contact of the owner by id or by e-mail; false when there was none. */
  remove(userId: number, which: { id: number } | { email: string }): Promise<boolean> {
    return this.db.run(
      async (m) => ((await m.delete(ContactEntity, { userId, ...which })).affected ?? 0) > 0,
    );
  }

  /** The owner's contacts' mobiles by e-mail, for the e-mails that have one. */
  mobilesByEmail(userId: number, emails: string[]): Promise<Map<string, string>> {
    return this.db.run(async (m) => {
      const out = new Map<string, string>();
      const wanted = [...new Set(emails.filter(Boolean))];
      for (let i = 0; i < wanted.length; i += CHUNK) {
        const found = await m.find(ContactEntity, {
          where: { userId, email: In(wanted.slice(i, i + CHUNK)) },
          order: { id: 'ASC' },
        });
        for (const c of found) if (c.mobile && !out.has(c.email)) out.set(c.email, c.mobile);
      }
      return out;
    });
  }

  /** Confirmed bound phones of local users (libs/notify phone bindings), by user id. */
  confirmedPhones(userIds: number[]): Promise<Map<number, string>> {
    return this.db.run(async (m) => {
      const out = new Map<number, string>();
      const wanted = [...new Set(userIds)];
      for (let i = 0; i < wanted.length; i += CHUNK) {
        const found = await m.find(UserPhoneEntity, {
          where: { userId: In(wanted.slice(i, i + CHUNK)), confirmed: true },
        });
        for (const p of found) out.set(p.userId, p.number);
      }
      return out;
    });
  }
}
