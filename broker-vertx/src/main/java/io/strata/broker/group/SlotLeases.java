package io.strata.broker.group;

import java.util.Optional;

/**
 * Which coordinator slots this broker leads now, as it last learned from the metadata database (in the broker:
 * the leadership view). Implementations are thread-safe and answer without blocking.
 */
@FunctionalInterface
public interface SlotLeases {

    /**
     * This broker's lease on the coordinator slot of {@code group}; empty when this broker does not lead that slot
     * (another broker does, or nobody does yet).
     */
    Optional<SlotLease> leaseFor(String group);
}
