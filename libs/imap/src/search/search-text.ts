/**
 * The form SEARCH compares text in (RFC 3501 6.4.4: case-insensitive substring):
 * lower case, every run of whitespace one space. Messages are normalized once each,
 * search strings on every comparison (they are short).
 */
export function normalizeForSearch(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ');
}
