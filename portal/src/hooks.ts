import { useCallback, useEffect, useRef, useState } from 'react';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads `fetcher()` whenever `deps` change and, with `everyMs`, again on that period while the tab is visible.
 * Answers that arrive after a newer load started are dropped, so fast filter changes never show stale rows.
 */
export function useLoad<T>(fetcher: () => Promise<T>, deps: unknown[], everyMs?: number): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  const fetchRef = useRef(fetcher);
  fetchRef.current = fetcher;

  const run = useCallback(() => {
    const mine = ++seq.current;
    setLoading(true);
    fetchRef.current().then(
      (d) => {
        if (mine !== seq.current) return;
        setData(d);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (mine !== seq.current) return;
        setError(e instanceof Error ? e.message : String(e));
        setLoading(false);
      },
    );
  }, []);

  // The caller lists what the fetcher depends on, as with useEffect.
  useEffect(run, deps);

  useEffect(() => {
    if (!everyMs) return;
    const t = setInterval(() => {
      if (document.visibilityState === 'visible') run();
    }, everyMs);
    return () => clearInterval(t);
  }, [everyMs, run]);

  return { data, error, loading, reload: run };
}

/** A value that follows `value` once it has stopped changing for `delay` ms (typing in a filter box). */
export function useDebounced<T>(value: T, delay = 300): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), delay);
    return () => clearTimeout(t);
  }, [value, delay]);
  return v;
}
