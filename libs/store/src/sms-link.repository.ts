import { Database } from './database';
import { SmsLinkEntity } from './entities';
import { rows } from './raw-sql';

/** SQL for the SMS links added through the admin API. */
export class SmsLinkRepository {
  constructor(private readonly db: Database) {}

  list(): Promise<SmsLinkEntity[]> {
    return this.db.run((m) => m.find(SmsLinkEntity, { order: { id: 'ASC' } }));
  }

  get(id: string): Promise<SmsLinkEntity | null> {
    return this.db.run((m) => m.findOneBy(SmsLinkEntity, { id }));
  }

  /**
   * Adds a link, enabled; false when a link with that id is already stored. One
   * statement, so two admins adding the same id at once cannot both succeed.
   */
  async insert(link: { id: string; kind: string; settings: string }): Promise<boolean> {
    const now = Date.now();
    const added = await this.db.run((m) =>
      rows<{ id: string }>(
        m,
        'INSERT INTO sms_links (id, kind, settings, revision, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING id',
        [link.id, link.kind, link.settings, now, now],
      ),
    );
    return added.length > 0;
  }

  /** Replaces a link's settings (and kind); false when there is no such link. */
  async replace(id: string, kind: string, settings: string): Promise<boolean> {
    return this.update(id, { kind, settings });
  }

  /** Turns a link on or off; false when there is no such link. */
  async setEnabled(id: string, enabled: boolean): Promise<boolean> {
    return this.update(id, { enabled });
  }

  async remove(id: string): Promise<boolean> {
    const r = await this.db.tx((m) => m.delete(SmsLinkEntity, { id }));
    return (r.affected ?? 0) > 0;
  }

  private async update(
    id: string,
    patch: Partial<Pick<SmsLinkEntity, 'kind' | 'settings' | 'enabled'>>,
  ): Promise<boolean> {
    const r = await this.db.tx((m) =>
      m.update(
        SmsLinkEntity,
        { id },
        { ...patch, revision: () => 'revision + 1', updatedAt: Date.now() },
      ),
    );
    return (r.affected ?? 0) > 0;
  }
}
