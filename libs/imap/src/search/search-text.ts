/**
 * The form SEARCH compares text in (RFC 3501 6.4.4: case-insensitive substring):
 * lower case, every run of whitespace one space. Messages are normalized once each,
 * search strings on every comparison (they are short).
 */
export function normalizeForSearch(text: string): string {
  return collapseWhitespace(text.toLowerCase());
}

/** Every run of whitespace one space (the second half of normalizeForSearch). */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ');
}
