import type { ServerResponse } from 'node:http';

/**
 * Resolves when the client can take more (`drain`) or is gone (`close`). Both listeners go either way: a long stream
 * to a slow client waits here thousands of times, and a `close` listener left per wait would pile up until the end.
 */
export function writable(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
