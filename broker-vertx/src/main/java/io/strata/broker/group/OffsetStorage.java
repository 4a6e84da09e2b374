package io.strata.broker.group;

import io.strata.index.GroupOffset;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;

/**
 * Where committed offsets live. The coordinator only talks to this port, so the offsets can move from the broker's
 * RocksDB to shared storage without touching the protocol logic. Implementations are thread-safe; futures may
 * complete on any thread.
 *
 * <p>A write fails with a Kafka {@link ApiException} when the answer is one (NOT_COORDINATOR when the group's
 * coordinator slot moved and the write was fenced, UNKNOWN_TOPIC_OR_PARTITION for a topic deleted meanwhile); any
 * other failure means the storage could not be reached and is answered COORDINATOR_NOT_AVAILABLE (retriable):
 * {@link #errorOf}.
 */
public interface OffsetStorage {

    /** The Kafka error a client gets for a failed storage call. */
    static Errors errorOf(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return cause instanceof ApiException ? Errors.forException(cause) : Errors.COORDINATOR_NOT_AVAILABLE;
    }

    /**
     * Stores the offsets (all of one group), replacing earlier commits of the same partitions.
     *
     * @param slotEpoch the epoch of the group's coordinator slot at which the coordinator holds the group it
     *     validated the write against (every write takes one): a storage shared by brokers stores nothing unless
     *     this broker still leads the slot at exactly that epoch, so a decision taken on a group from before a
     *     move (even one away and back) is never written; the broker's own RocksDB ignores it
     */
    CompletableFuture<Void> commit(int slotEpoch, List<GroupOffset> offsets);

    /** Every committed offset of {@code group}. */
    CompletableFuture<List<GroupOffset>> fetch(String group);

    /** Removes the given partitions' offsets of {@code group}. */
    CompletableFuture<Void> delete(int slotEpoch, String group, Collection<TopicPartition> partitions);

    /** Removes every offset of {@code group}. */
    CompletableFuture<Void> deleteGroup(int slotEpoch, String group);

    /** Removes the offsets of {@code group} committed at or before {@code cutoffMs}; completes with how many remain. */
    CompletableFuture<Integer> expire(int slotEpoch, String group, long cutoffMs);

    /**
     * The groups that have committed offsets (read once at startup, may block). May be empty when the storage
     * cannot list them: the coordinator then learns of a group's offsets when the group is first asked about.
     */
    List<String> groupIds();
}
