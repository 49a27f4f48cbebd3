export type * from './types.js';
export { emptyUsage } from './types.js';
export type { Codec, ClientEncodeOptions, ProviderQuirks, StreamDecoder, StreamEncoder, UpstreamTarget } from './codec.js';
export { CodecError } from './codec.js';
export { wrapSignature, unwrapSignature } from './signature.js';
export { errorKindForStatus } from './errors.js';
