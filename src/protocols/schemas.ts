/** The scenario's target schema and types, assembled from the protocol registry. */
export { targetSchema, type Target, type ProtocolName } from './registry.js';
