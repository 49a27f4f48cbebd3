import type { Logger } from 'pino';

export type ChangeTarget = 'routers' | 'keys' | 'config';

/**
 * Runs `fn` for every request, serialised: a request that arrives while a run is in progress causes exactly one more
 * run after it (so a change committed during a reload is not missed, and a burst of events costs two reloads).
 */
export function coalesced(fn: () => Promise<void>, onError: (err: unknown) => void): () => void {
  let running = false;
  let again = false;
  const run = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    fn()
      .catch(onError)
      .finally(() => {
        running = false;
        if (again) {
          again = false;
          run();
        }
      });
  };
  return run;
}

export interface Refreshable {
  refreshIfChanged(): Promise<void>;
}

/**
 * Turns change events (Redis pub/sub from another instance, PostgreSQL NOTIFY from any writer) into reloads of the
 * key ring and the router registry. Both reload only when the store's change marker moved, so the same change
 * arriving by both routes costs one reload.
 */
export class ChangeFeed {
  private readonly keys: () => void;
  private readonly routers: () => void;
  /** Changes received, by what changed (for tests and diagnostics). */
  readonly received: Record<ChangeTarget, number> = { routers: 0, keys: 0, config: 0 };

  constructor(targets: { keys: Refreshable; routers: Refreshable }, log: Logger) {
    // Twice: the registry shares one in-flight refresh between callers, and one that started before this change was
    // committed must not be the only look.
    const twice = (r: Refreshable) => async () => {
      await r.refreshIfChanged();
      await r.refreshIfChanged();
    };
    this.keys = coalesced(twice(targets.keys), (err) => log.warn({ err }, 'reloading client keys after a change failed'));
    this.routers = coalesced(twice(targets.routers), (err) => log.warn({ err }, 'reloading routers after a change failed'));
  }

  notify(what: ChangeTarget): void {
    this.received[what]++;
    if (what !== 'routers') this.keys();
    if (what !== 'keys') this.routers();
  }

  /** A PostgreSQL notification: the payload is the table written (null after a reconnect: anything may have changed). */
  notifyTable(table: string | null): void {
    this.notify(table === 'client_keys' ? 'keys' : table === 'routers' ? 'routers' : 'config');
  }
}
