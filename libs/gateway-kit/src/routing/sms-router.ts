import { LinkDownError, NoRouteError, SubmitRefusedError } from '../errors';
import type { OutboundSms } from '../sms';
import type { LinkHealth } from '../sms-link';
import { nationalNumber } from './phone-number';

/** The part of a link the router looks at; every `SmsLink` has it. */
export interface RoutableLink {
  readonly id: string;
  readonly config: { prefixes: readonly string[]; priority: number };
  health(): LinkHealth;
  submit(sms: OutboundSms): Promise<string[]>;
}

export interface RoutedSubmit {
  linkId: string;
  messageIds: string[];
  /** Links tried before the one that took it, with their errors. */
  failedOver: { linkId: string; error: Error }[];
}

export interface SmsRouterOptions {
  /** Country code stripped before prefix matching (default "86"). */
  countryCode?: string;
}

/**
 * Picks the link for a destination: links whose prefixes match (no prefixes = any
 * number), that are not down, best first by health, priority, longest matching prefix
 * and current load. Submitting fails over to the next candidate when a link is down
 * or refuses before accepting any segment; any other failure (a time-out after which
 * the carrier may have the message, a partly accepted long message) is returned as is,
 * because trying elsewhere could deliver it twice.
 */
export class SmsRouter {
  private links: RoutableLink[];

  constructor(
    links: readonly RoutableLink[] = [],
    private readonly options: SmsRouterOptions = {},
  ) {
    this.links = [...links];
  }

  setLinks(links: readonly RoutableLink[]): void {
    this.links = [...links];
  }

  /** Links that could take a message to `destination`, best first. */
  candidates(destination: string): RoutableLink[] {
    const national = nationalNumber(destination, this.options.countryCode);
    return this.links
      .map((link) => ({
        link,
        match: matchLength(link.config.prefixes, national),
        health: link.health(),
      }))
      .filter((c) => c.match >= 0 && c.health.state !== 'down')
      .sort(
        (a, b) =>
          stateRank(a.health) - stateRank(b.health) ||
          a.link.config.priority - b.link.config.priority ||
          b.match - a.match ||
          load(a.health) - load(b.health) ||
          a.link.id.localeCompare(b.link.id),
      )
      .map((c) => c.link);
  }

  async submit(sms: OutboundSms): Promise<RoutedSubmit> {
    const national = nationalNumber(sms.to, this.options.countryCode);
    const failedOver: { linkId: string; error: Error }[] = [];
    const candidates = this.candidates(sms.to);
    if (!candidates.length) {
      for (const link of this.links) {
        if (matchLength(link.config.prefixes, national) >= 0) {
          failedOver.push({ linkId: link.id, error: new LinkDownError(link.id) });
        }
      }
      throw new NoRouteError(sms.to, failedOver);
    }
    for (const link of candidates) {
      try {
        const messageIds = await link.submit(sms);
        return { linkId: link.id, messageIds, failedOver };
      } catch (error) {
        if (!canFailOver(error)) throw error;
        failedOver.push({ linkId: link.id, error: error as Error });
      }
    }
    throw new NoRouteError(sms.to, failedOver);
  }
}

function canFailOver(error: unknown): boolean {
  if (error instanceof LinkDownError) return true;
  return error instanceof SubmitRefusedError && error.acceptedIds.length === 0;
}

/** Length of the longest prefix matching, 0 for a link serving any number, -1 for none. */
function matchLength(prefixes: readonly string[], national: string): number {
  if (!prefixes.length) return 0;
  let best = -1;
  for (const p of prefixes) if (national.startsWith(p) && p.length > best) best = p.length;
  return best;
}

function stateRank(health: LinkHealth): number {
  return health.state === 'up' ? 0 : 1;
}

/** How busy a link is, 0..1+: the fuller of its window and its TPS budget. */
function load(health: LinkHealth): number {
  const window = health.windowSize ? health.windowInUse / health.windowSize : 0;
  const rate = health.tps ? health.ratePerSec / health.tps : 0;
  return Math.max(window, rate);
}
