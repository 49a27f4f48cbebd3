/**
 * Server-sent events: an incremental splitter that hands back each event's exact bytes (for forwarding) together with
 * its parsed fields, and an encoder. The only public entry point of this directory.
 */
export { SseSplitter, SseTooLargeError, type SseEvent, type SseSplitterOptions } from './splitter.js';
export { encodeEvent } from './encode.js';
