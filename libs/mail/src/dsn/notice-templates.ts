import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TemplateError } from './dsn.errors';

export type NoticeLanguage = 'zh' | 'en';
export type NoticeTemplateName = 'dsn-failed' | 'dsn-delayed' | 'quota-warning' | 'welcome';

export interface RenderedNotice {
  /** Unicode subject, not yet MIME-encoded. */
  subject: string;
  /** Body text with CRLF line ends. */
  body: string;
}

export interface NoticeTemplatesOptions {
  /**
   * Admin directory (config `templatesDir`) searched first, file by file: an admin may
   * override one template and keep the built-in others. Empty or unset: built-in only.
   */
  directory?: string;
  /** Where the shipped templates are; found next to this library when unset. */
  builtInDirectory?: string;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;

/**
 * Loads and fills the editable notice templates: `<name>.<language>.txt`, a first line
 * `Subject: ...`, a blank line, then the body, with `{{placeholders}}` in both. Files are
 * read at each render so an admin's edit applies without a restart (notices are rare).
 */
export class NoticeTemplates {
  private readonly directories: string[];

  constructor(options: NoticeTemplatesOptions = {}) {
    const builtIn = options.builtInDirectory ?? findBuiltInDirectory();
    this.directories = [options.directory, builtIn].filter(
      (dir): dir is string => typeof dir === 'string' && dir.length > 0,
    );
  }

  /** Fills `name` in `language`; every placeholder must have a value, or TemplateError says which. */
  async render(
    name: NoticeTemplateName,
    language: NoticeLanguage,
    values: Record<string, string>,
  ): Promise<RenderedNotice> {
    const file = this.locate(`${name}.${language}.txt`);
    const text = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
    const match = text.match(/^Subject:[ \t]*(.*)\n\n?/);
    if (!match) {
      throw new TemplateError(
        `template ${file} must start with a line "Subject: ..." followed by a blank line and the body`,
        file,
      );
    }
    const fill = (part: string): string =>
      part.replace(PLACEHOLDER, (_whole, key: string) => {
        const value = values[key];
        if (value === undefined) {
          throw new TemplateError(
            `template ${file} uses {{${key}}}, which is not available here; available: ${Object.keys(
              values,
            )
              .map((k) => `{{${k}}}`)
              .join(', ')}`,
            file,
          );
        }
        return value;
      });
    const subject = fill(match[1])
      .replace(/[\r\n]+/g, ' ')
      .trim();
    const body = fill(text.slice(match[0].length))
      .replace(/\r?\n/g, '\r\n')
      .replace(/(\r\n)*$/, '\r\n');
    return { subject, body };
  }

  private locate(fileName: string): string {
    for (const dir of this.directories) {
      const candidate = path.join(dir, fileName);
      if (existsSync(candidate)) return candidate;
    }
    throw new TemplateError(
      `notice template ${fileName} not found in ${this.directories.join(' or ')}; copy it from libs/mail/templates`,
      null,
    );
  }
}

/** The shipped templates: `libs/mail/templates`, from the sources or from `dist/`. */
function findBuiltInDirectory(): string {
  const candidates = [
    path.resolve(__dirname, '../../templates'),
    path.resolve(__dirname, '../../../../../libs/mail/templates'),
  ];
  return candidates.find((dir) => existsSync(dir)) ?? candidates[0];
}
