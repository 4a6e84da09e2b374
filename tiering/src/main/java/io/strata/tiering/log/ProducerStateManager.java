package io.strata.tiering.log;

import io.strata.index.BatchMetadata;
import io.strata.index.ProducerStateEntry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.RecordBatch;

/**
 * Idempotent-producer state of one partition, with Kafka's rules:
 * <ul>
 *   <li>a batch equal (epoch, first and last sequence) to one of the producer's last five is a
 *       duplicate, answered with the original offsets and not appended;</li>
 *   <li>an epoch older than the producer's current one is rejected ({@code INVALID_PRODUCER_EPOCH});</li>
 *   <li>a newer epoch must start at sequence 0; within an epoch each batch must continue the
 *       previous one's sequence ({@code OUT_OF_ORDER_SEQUENCE_NUMBER} otherwise); a producer the
 *       partition has no state for may start anywhere.</li>
 * </ul>
 * Not thread-safe: the owning {@link PartitionLog} calls it under its append lock.
 */
final class ProducerStateManager {

    static final int RETAINED_BATCHES = 5;

    private final String partitionName;
    private final Map<Long, Producer> producers = new HashMap<>();

    ProducerStateManager(String partitionName) {
        this.partitionName = partitionName;
    }

    private static final class Producer {
        short epoch;
        long lastTimestamp;
        final Deque<BatchMetadata> batches = new ArrayDeque<>(RETAINED_BATCHES);

        Producer(short epoch) {
            this.epoch = epoch;
        }
    }

    /**
     * Validates an idempotent batch against the producer's state.
     *
     * @return the original metadata when the batch is a duplicate; empty when it may be appended
     * @throws InvalidProducerEpochException when the epoch is stale
     * @throws OutOfOrderSequenceException   when the sequence does not continue the producer's last batch
     */
    Optional<BatchMetadata> check(RecordBatch batch) {
        Producer producer = producers.get(batch.producerId());
        if (producer == null) {
            return Optional.empty();
        }
        short epoch = batch.producerEpoch();
        if (epoch == producer.epoch) {
            for (BatchMetadata previous : producer.batches) {
                if (previous.firstSeq() == batch.baseSequence() && previous.lastSeq() == batch.lastSequence()) {
                    return Optional.of(previous);
                }
            }
        }
        if (epoch < producer.epoch) {
            throw new InvalidProducerEpochException("Epoch " + epoch + " of producer " + batch.producerId()
                    + " is older than its current epoch " + producer.epoch + " on " + partitionName);
        }
        if (epoch > producer.epoch) {
            if (batch.baseSequence() != 0) {
                throw new OutOfOrderSequenceException("Producer " + batch.producerId() + " bumped its epoch to "
                        + epoch + " on " + partitionName + " but its first sequence is " + batch.baseSequence()
                        + ", not 0");
            }
            return Optional.empty();
        }
        if (!producer.batches.isEmpty() && !inSequence(producer.batches.peekLast().lastSeq(), batch.baseSequence())) {
            throw new OutOfOrderSequenceException("Out of order sequence for producer " + batch.producerId()
                    + " on " + partitionName + ": expected " + nextSequence(producer.batches.peekLast().lastSeq())
                    + " (epoch " + epoch + "), got " + batch.baseSequence());
        }
        return Optional.empty();
    }

    private static boolean inSequence(int lastSeq, int nextSeq) {
        return nextSeq == nextSequence(lastSeq);
    }

    private static int nextSequence(int lastSeq) {
        return lastSeq == Integer.MAX_VALUE ? 0 : lastSeq + 1;
    }

    /**
     * Records an appended (or, during recovery, replayed) idempotent batch with its assigned offsets.
     * {@code appendTimeMs} (broker time) drives expiry, so producers replaying old timestamps keep their state.
     */
    void update(RecordBatch batch, long appendTimeMs) {
        Producer producer = producers.computeIfAbsent(batch.producerId(), id -> new Producer(batch.producerEpoch()));
        if (batch.producerEpoch() != producer.epoch) {
            producer.epoch = batch.producerEpoch();
            producer.batches.clear();
        }
        if (producer.batches.size() == RETAINED_BATCHES) {
            producer.batches.removeFirst();
        }
        producer.batches.addLast(new BatchMetadata(batch.baseSequence(), batch.lastSequence(), batch.baseOffset(),
                batch.lastOffset(), batch.maxTimestamp()));
        producer.lastTimestamp = Math.max(producer.lastTimestamp, appendTimeMs);
    }

    /** Forgets batches at or above {@code offset} (the log was truncated there). */
    void truncateTo(long offset) {
        for (Producer producer : producers.values()) {
            producer.batches.removeIf(b -> b.lastOffset() >= offset);
        }
    }

    /** Drops producers whose newest batch is older than {@code expiredBeforeMs}. */
    void expire(long expiredBeforeMs) {
        producers.values().removeIf(p -> p.lastTimestamp < expiredBeforeMs);
    }

    void load(Collection<ProducerStateEntry> entries) {
        producers.clear();
        for (ProducerStateEntry entry : entries) {
            Producer producer = new Producer(entry.epoch());
            producer.lastTimestamp = entry.lastTimestamp();
            producer.batches.addAll(entry.batches());
            producers.put(entry.producerId(), producer);
        }
    }

    /** A copy of the whole state, for a snapshot. */
    List<ProducerStateEntry> snapshot() {
        List<ProducerStateEntry> entries = new ArrayList<>(producers.size());
        producers.forEach((id, p) -> entries.add(new ProducerStateEntry(id, p.epoch, p.lastTimestamp,
                new ArrayList<>(p.batches))));
        return entries;
    }

    int size() {
        return producers.size();
    }
}
