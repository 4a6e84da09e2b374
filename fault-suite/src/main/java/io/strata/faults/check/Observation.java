package io.strata.faults.check;

import java.util.Objects;

/**
 * One record where somebody saw it: the value a producer sent (unique across a run), the partition and the
 * offset it was acknowledged at, read at, or found at in the final read.
 */
public record Observation(String value, int partition, long offset) {

    public Observation {
        Objects.requireNonNull(value, "value");
    }

    /** The position only: {@code partition@offset}. */
    public String position() {
        return partition + "@" + offset;
    }

    @Override
    public String toString() {
        return value + "@" + position();
    }
}
