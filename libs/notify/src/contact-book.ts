import { DiziError } from '@dizi/errors';
import { ContactEntity, ContactsRepository, DirectoryRepository, UserEntity } from '@dizi/store';
import { canonicalPhone } from './phone-number';

export interface ContactInput {
  name?: string;
  email: string;
  mobile: string;
}

export interface ContactView {
  id: number;
  owner: string;
  name: string;
  email: string;
  mobile: string;
}

const NAME_MAX = 255;
const EMAIL_MAX = 320;
const EMAIL = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;

/**
 * A user's minimal address book (H3): name, e-mail and mobile of the people they write
 * to. Send-time SMS notices find a recipient's number here by the recipient's e-mail;
 * one e-mail has at most one contact per owner, so the number is never a guess.
 */
export class ContactBook {
  constructor(
    private readonly repo: ContactsRepository,
    private readonly users: DirectoryRepository,
  ) {}

  async add(owner: string, input: ContactInput): Promise<ContactView> {
    const user = await this.owner(owner);
    const name = String(input.name ?? '').trim();
    if (Array.from(name).length > NAME_MAX)
      throw new DiziError('invalid', `the name is longer than ${NAME_MAX} characters`, 'name');
    const email = contactEmail(input.email);
    const mobile = canonicalPhone(input.mobile, 'mobile');
    const r = await this.repo.add({ userId: user.id, name, email, mobile });
    if ('existing' in r)
      throw new DiziError(
        'conflict',
        `${user.address} already has a contact for ${email} (id ${r.existing.id}); remove it first`,
        'email',
      );
    return view(user, r.row);
  }

  async list(owner: string): Promise<ContactView[]> {
    const user = await this.owner(owner);
    return (await this.repo.list(user.id)).map((c) => view(user, c));
  }

  /** Removes a contact given by its id or its e-mail. */
  async remove(owner: string, which: string): Promise<void> {
    const user = await this.owner(owner);
    const key = String(which ?? '').trim();
    const removed = /^\d+$/.test(key)
      ? await this.repo.remove(user.id, { id: Number(key) })
      : await this.repo.remove(user.id, { email: contactEmail(key, 'contact') });
    if (!removed)
      throw new DiziError('not-found', `${user.address} has no contact ${key}`, 'contact');
  }

  private async owner(address: string): Promise<UserEntity> {
    const user = await this.users.findUser(
      String(address ?? '')
        .trim()
        .toLowerCase(),
    );
    if (!user) throw new DiziError('not-found', `no user ${address}`, 'address');
    return user;
  }
}

function contactEmail(input: string, field = 'email'): string {
  const email = String(input ?? '')
    .trim()
    .toLowerCase();
  if (!EMAIL.test(email) || email.length > EMAIL_MAX)
    throw new DiziError('invalid', `"${input}" is not an e-mail address`, field);
  return email;
}

function view(owner: UserEntity, c: ContactEntity): ContactView {
  return { id: c.id, owner: owner.address, name: c.name, email: c.email, mobile: c.mobile };
}
