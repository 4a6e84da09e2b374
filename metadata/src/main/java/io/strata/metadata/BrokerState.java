package io.strata.metadata;

/**
 * A registered broker as the database holds it. {@code heartbeats} counts its renewals: the controller judges
 * liveness by whether that count moves during a session timeout on its own monotonic clock, never from stored
 * timestamps (CLUSTER.md, rule 8).
 */
public record BrokerState(BrokerRegistration registration, long heartbeats) {
    public int nodeId() {
        return registration.nodeId();
    }
}
