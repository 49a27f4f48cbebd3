/** Cost in USD of a request's tokens at catalog prices. */
export { costUsd } from './cost.js';
export { priceRecord } from './price-record.js';
