package io.strata.metadata;

import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * What a broker says about itself when it joins: its node id, the incarnation (a new random id per start, so
 * a restarted broker is told apart from the one before it), the endpoints clients reach it at (Kafka's
 * {@code advertised.listeners} form, e.g. {@code PLAINTEXT://host:9092}) and its rack ({@code broker.rack}).
 */
public record BrokerRegistration(int nodeId, UUID incarnation, String endpoints, Optional<String> rack) {
    public BrokerRegistration {
        if (nodeId < 0) {
            throw new IllegalArgumentException("node id must be 0 or more, not " + nodeId);
        }
        Objects.requireNonNull(incarnation, "incarnation");
        Objects.requireNonNull(endpoints, "endpoints");
        Objects.requireNonNull(rack, "rack");
    }
}
