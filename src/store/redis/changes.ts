import type { RedisLink } from './connection.js';

/** What changed: the routers, the client keys, or the configuration (config keys and config routers, on a (re)start). */
export type ChangeKind = 'routers' | 'keys' | 'config';

const KINDS: ReadonlySet<string> = new Set<ChangeKind>(['routers', 'keys', 'config']);

interface ChangeMessage {
  origin: string;
  kind: ChangeKind;
}

/**
 * Change events between instances over Redis pub/sub (`<prefix>:changes`). The instance that writes a router or a
 * key publishes after its write committed; the others reload that part from the store at once. The events only say
 * *that* something changed: the store stays the truth, so a lost event costs latency (the slow poll, or the reload
 * after Redis returns), never correctness.
 */
export class RedisChanges {
  private readonly channel: string;

  constructor(private readonly link: RedisLink) {
    this.channel = link.key('changes');
  }

  async subscribe(onChange: (kind: ChangeKind) => void): Promise<void> {
    await this.link.subscribe(this.channel, (raw) => {
      let msg: ChangeMessage;
      try {
        msg = JSON.parse(raw) as ChangeMessage;
      } catch {
        return;
      }
      if (msg.origin === this.link.instanceId || !KINDS.has(msg.kind)) return;
      onChange(msg.kind);
    });
  }

  publish(kind: ChangeKind): void {
    this.link.publish(this.channel, JSON.stringify({ origin: this.link.instanceId, kind } satisfies ChangeMessage));
  }
}
