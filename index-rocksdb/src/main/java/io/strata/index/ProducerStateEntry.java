package io.strata.index;

import java.util.List;

/**
 * The state of one idempotent producer on one partition: its epoch and its newest batches (at most
 * five, oldest first), as Kafka keeps it.
 */
public record ProducerStateEntry(long producerId, short epoch, long lastTimestamp, List<BatchMetadata> batches) {

    public ProducerStateEntry {
        batches = List.copyOf(batches);
    }
}
