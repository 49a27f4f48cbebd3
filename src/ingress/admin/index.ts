/**
 * The admin API (`/admin/v1`, docs/api.md "Admin API"): records, aggregates, client keys, live statistics and
 * circuit states. Every endpoint needs admin rights (`requireAdmin`); errors use the OpenAI error shape.
 */
export { handleCircuits } from './circuits.js';
export { handleCreateKey, handleListKeys, handleRevokeKey } from './keys.js';
export { handleGetRequest, handleListRequests } from './requests.js';
export { requireAdmin } from './require-admin.js';
export { handleStats } from './stats.js';
export { handleUsage } from './usage.js';
