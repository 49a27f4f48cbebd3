import type { Logger } from 'pino';
import { REMOTE_REASON, type BreakerKey, type BreakerState, type CircuitBreakers } from '../../execution/breakers/index.js';
import type { RedisLink } from './connection.js';

interface BreakerMessage {
  origin: string;
  provider: string;
  model: string;
  key: string;
  state: 'open' | 'closed';
  /** Epoch ms when the open circuit lets a probe through (open only). */
  retryAt: number | null;
}

/** Field separator in the Redis key of one breaker; cannot occur in provider names, and model ids never carry it. */
const SEP = '\u001f';

/**
 * Shares circuit breaker state through Redis. The breaker itself stays a local synchronous state machine on the
 * request path; this adapter only moves its transitions:
 * - a local transition to open is published (`<prefix>:breakers`) and kept as `<prefix>:breaker:<id>` with a TTL that
 *   ends when the circuit would let a probe through, so an instance starting later still sees it open;
 * - a local close (a successful probe) is published and deletes that key;
 * - half-open is not shared: each instance reaches it by itself when `retryAt` passes, and whichever probe succeeds
 *   first closes the circuit everywhere.
 * Transitions applied from Redis carry the reason `remote` and are not published back.
 */
export class SharedBreakers {
  private readonly channel: string;

  constructor(
    private readonly link: RedisLink,
    private readonly breakers: CircuitBreakers,
    private readonly log: Logger,
  ) {
    this.channel = link.key('breakers');
  }

  /** Hook for `CircuitBreakers`' onChange. */
  onLocalChange(key: BreakerKey, _from: BreakerState, to: BreakerState, reason: string): void {
    if (reason === REMOTE_REASON) return;
    if (to === 'open') this.publishOpen(key, this.breakers.retryAt(key) ?? Date.now() + this.breakers.policy.cooldownMs);
    else if (to === 'closed') this.publishClosed(key);
  }

  async subscribe(): Promise<void> {
    await this.link.subscribe(this.channel, (raw) => {
      let msg: BreakerMessage;
      try {
        msg = JSON.parse(raw) as BreakerMessage;
      } catch {
        return;
      }
      if (msg.origin === this.link.instanceId || typeof msg.provider !== 'string' || typeof msg.model !== 'string' || typeof msg.key !== 'string') return;
      this.apply(msg);
    });
  }

  /**
   * After (re)connecting: adopts the circuits other instances opened, and republishes this instance's open ones (they
   * may have opened while Redis was away).
   */
  async converge(): Promise<void> {
    if (!this.link.up) return;
    const now = Date.now();
    for (const b of this.breakers.snapshot()) {
      if (b.state === 'open' && b.retryAt !== null && b.retryAt > now && b.lastReason !== REMOTE_REASON) this.publishOpen(b, b.retryAt);
    }
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.link.cmd.scan(cursor, 'MATCH', `${this.link.key('breaker')}:*`, 'COUNT', 200);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    if (keys.length === 0) return;
    const values = await this.link.cmd.mget(...keys);
    for (const v of values) {
      if (v === null) continue;
      try {
        this.apply(JSON.parse(v) as BreakerMessage);
      } catch {
        // A malformed entry (another version's format) is skipped; its TTL removes it.
      }
    }
  }

  private apply(msg: BreakerMessage): void {
    const key = { provider: msg.provider, model: msg.model, key: msg.key };
    if (msg.state === 'open') {
      if (typeof msg.retryAt !== 'number' || msg.retryAt <= Date.now()) return;
      const current = this.breakers.retryAt(key);
      // Already open here until at least as late: nothing to learn.
      if (current !== null && current >= msg.retryAt) return;
      this.breakers.applyRemote(key, 'open', msg.retryAt);
    } else if (msg.state === 'closed') {
      if (this.breakers.state(key) !== 'closed') this.breakers.applyRemote(key, 'closed', null);
    }
  }

  private redisKey(k: BreakerKey): string {
    return `${this.link.key('breaker')}:${k.provider}${SEP}${k.model}${SEP}${k.key}`;
  }

  private publishOpen(k: BreakerKey, retryAt: number): void {
    if (!this.link.up) return;
    const msg: BreakerMessage = { origin: this.link.instanceId, provider: k.provider, model: k.model, key: k.key, state: 'open', retryAt };
    const text = JSON.stringify(msg);
    const ttl = Math.max(retryAt - Date.now(), 1);
    this.link.cmd
      .multi()
      .set(this.redisKey(k), text, 'PX', ttl)
      .publish(this.channel, text)
      .exec()
      .catch((err: unknown) => this.log.debug({ err }, 'could not share a circuit breaker change'));
  }

  private publishClosed(k: BreakerKey): void {
    if (!this.link.up) return;
    const msg: BreakerMessage = { origin: this.link.instanceId, provider: k.provider, model: k.model, key: k.key, state: 'closed', retryAt: null };
    this.link.cmd
      .multi()
      .del(this.redisKey(k))
      .publish(this.channel, JSON.stringify(msg))
      .exec()
      .catch((err: unknown) => this.log.debug({ err }, 'could not share a circuit breaker change'));
  }
}
