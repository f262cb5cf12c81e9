/**
 * A client sent something the grammar does not allow. The session answers it with a
 * tagged BAD (or an untagged BAD when no tag could be read) and keeps the connection.
 */
export class ImapSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImapSyntaxError';
  }
}
