/**
 * Zero-copy JSON object scanning and splicing for the passthrough hot path (see docs/decisions/0002). The only public
 * entry point of this directory.
 */
export {
  DEFAULT_MAX_DEPTH,
  JsonScanError,
  parseValue,
  scanArrayElements,
  scanTopLevel,
  valueKind,
  type MemberSpan,
  type ScannedObject,
  type LongStringFinder,
  type ScanOptions,
  type ValueKind,
} from './scan.js';
export { MemberTexts, parseInPieces, stringifyToBuffer, stringifyWithRawStrings, type MemberReuse } from './pieces.js';
export { spliceMembers, type Edit, type SplicedBody } from './splice.js';
export { isAscii, isValidUtf8 } from './utf8.js';
export { extractRawStrings, RawStrings, RAW_STRING_FINDERS, RAW_STRING_PATHS, type RawStringPath } from './raw-strings.js';
export { deepFreeze, isDeeplyFrozen, sameJson, SharedValues } from './shared-values.js';
