/**
 * Limits that several Relay nodes share: the port ({@link relay.core.limits.SharedLimits}) through
 * which the ready lanes ask a store outside the node for a turn, and the node-local store used when
 * no cluster is configured. The ready lanes keep their own bookkeeping either way; a shared store is
 * a second gate that every node passes.
 */
package relay.core.limits;
