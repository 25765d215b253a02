package relay.server.admin;

import java.time.Instant;

/**
 * A connector as an operator checks it. Immutable.
 *
 * @param name the connector's name
 * @param type its kind: drop, smart-host, mx, smtp-auth
 * @param suspended whether an operator suspended it
 * @param pausedUntil when a pause after an unreachable upstream ends, or null when not paused
 * @param inMemory messages in its delivery window
 * @param inFlight attempts under way
 * @param deferred messages waiting on disk for a retry
 * @param held messages held or suspended
 * @param last its last delivery and last failure since the start, with upstream, TLS and reply
 * @param tokenExpiresIn seconds left on its OAuth token ({@code smtp-auth}), or null when it holds none
 */
public record ConnectorState(
    String name, String type, boolean suspended, Instant pausedUntil, int inMemory, int inFlight, long deferred, long held,
    ConnectorLedger.Last last, Long tokenExpiresIn) {}
