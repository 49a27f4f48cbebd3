/** Live latency/throughput statistics (SPEC section 4). The only entry point of src/routing/stats. */
export {
  LiveStats,
  LIVE_STATS_DEFAULTS,
  MIN_THROUGHPUT_TOKENS,
  percentileSorted,
  type LiveSample,
  type LiveSnapshotEntry,
  type LiveStatsExport,
  type LiveStatsOptions,
  type LiveValue,
} from './live-stats.js';
