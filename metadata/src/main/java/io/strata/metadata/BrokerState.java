package io.strata.metadata;

/**
 * A registered broker as the database holds it. {@code heartbeats} counts its renewals: the controller judges
 * liveness by whether that count moves during a session timeout on its own monotonic clock, never from stored
 * timestamps (CLUSTER.md, rule 8). {@code draining}: this incarnation began a planned shutdown
 * ({@link MetadataStore#drain}); it is still live and hands its partitions over itself, and the controller gives
 * it none meanwhile.
 */
public record BrokerState(BrokerRegistration registration, long heartbeats, boolean draining) {

    /** A broker that is not draining. */
    public BrokerState(BrokerRegistration registration, long heartbeats) {
        this(registration, heartbeats, false);
    }

    public int nodeId() {
        return registration.nodeId();
    }
}
