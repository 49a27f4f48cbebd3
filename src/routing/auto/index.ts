/** `model: "auto"` selection (SPEC section 4). The only entry point of src/routing/auto. */
export { needsFromRequest, type AutoNeeds } from './needs.js';
export { expandPool, type PoolEntry } from './pool.js';
export {
  AUTO_DEFAULT_SORT,
  EXPECTED_OUTPUT_TOKENS,
  TIE_TOLERANCE,
  expectedPrice,
  selectAuto,
  type AutoExcluded,
  type AutoOptions,
  type AutoRanked,
  type AutoResult,
} from './select.js';
