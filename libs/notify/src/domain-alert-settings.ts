import { DiziError } from '@dizi/errors';
import { DirectoryRepository, NotifyRepository } from '@dizi/store';

/** The alert text settings in force for a domain, and where each comes from. */
export interface DomainAlertSettingsView {
  domain: string;
  /** The domain's own template, or null when it uses notify.alertTemplate. */
  template: string | null;
  segments: number | null;
  /** What alerts of the domain's users use (own setting, else the configuration). */
  effective: { template: string; segments: number };
}

export interface DomainAlertSettingsInput {
  /** A template with {from}, {time}, {subject}, {body}; null or '' goes back to the default. */
  template?: string | null;
  /** 1 to 5; null goes back to the default. */
  segments?: number | null;
}

export interface AlertTextDefaults {
  template: string;
  segments: number;
}

const TEMPLATE_MAX = 500;
const PLACEHOLDER = /\{(\w+)\}/g;
const KNOWN = new Set(['from', 'time', 'subject', 'body']);

/** Checks a template as notify.alertTemplate is checked, with the field named. */
export function checkAlertTemplate(template: string): string {
  const t = template.trim();
  if (Array.from(t).length > TEMPLATE_MAX)
    throw new DiziError(
      'invalid',
      `the template is longer than ${TEMPLATE_MAX} characters`,
      'template',
    );
  if (!/\{(subject|body)\}/.test(t))
    throw new DiziError('invalid', 'the template must contain {subject} or {body}', 'template');
  for (const m of t.matchAll(PLACEHOLDER)) {
    if (!KNOWN.has(m[1]))
      throw new DiziError(
        'invalid',
        `{${m[1]}} is not a template field; use {from}, {time}, {subject}, {body}`,
        'template',
      );
  }
  return t;
}

/**
 * A domain's own alert template and number of segments (issue 5: "a template per
 * domain"), falling back to notify.alertTemplate / notify.alertSegments. Alerts read
 * it with the user's rules (NotifyRepository.alertContexts), so a change holds for the
 * next alert on every node.
 */
export class DomainAlertSettings {
  constructor(
    private readonly repo: NotifyRepository,
    private readonly users: DirectoryRepository,
    private readonly defaults: AlertTextDefaults,
  ) {}

  async get(domainName: string): Promise<DomainAlertSettingsView> {
    const domain = await this.domain(domainName);
    return this.view(domain.name, await this.repo.domainAlertSettings(domain.id));
  }

  async set(domainName: string, input: DomainAlertSettingsInput): Promise<DomainAlertSettingsView> {
    const domain = await this.domain(domainName);
    const patch: { template?: string | null; segments?: number | null } = {};
    if (input.template !== undefined)
      patch.template =
        input.template === null || !input.template.trim()
          ? null
          : checkAlertTemplate(input.template);
    if (input.segments !== undefined) {
      const n = input.segments;
      if (n !== null && (!Number.isInteger(n) || n < 1 || n > 5))
        throw new DiziError('invalid', 'segments is a whole number from 1 to 5', 'segments');
      patch.segments = n;
    }
    return this.view(domain.name, await this.repo.setDomainAlertSettings(domain.id, patch));
  }

  private view(
    domain: string,
    own: { template: string | null; segments: number | null } | null,
  ): DomainAlertSettingsView {
    return {
      domain,
      template: own?.template ?? null,
      segments: own?.segments ?? null,
      effective: {
        template: own?.template ?? this.defaults.template,
        segments: own?.segments ?? this.defaults.segments,
      },
    };
  }

  private async domain(name: string) {
    const d = await this.users.findDomain(
      String(name ?? '')
        .trim()
        .toLowerCase(),
    );
    if (!d) throw new DiziError('not-found', `no domain ${name}`, 'name');
    return d;
  }
}
