package io.strata.broker.group;

import io.strata.index.GroupOffset;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;

/**
 * Where committed offsets live. The coordinator only talks to this port, so the offsets can move from the broker's
 * RocksDB to shared storage without touching the protocol logic. Implementations are thread-safe; futures may
 * complete on any thread.
 */
public interface OffsetStorage {

    /** Stores the offsets (all of one group), replacing earlier commits of the same partitions. */
    CompletableFuture<Void> commit(List<GroupOffset> offsets);

    /** Every committed offset of {@code group}. */
    CompletableFuture<List<GroupOffset>> fetch(String group);

    /** Removes the given partitions' offsets of {@code group}. */
    CompletableFuture<Void> delete(String group, Collection<TopicPartition> partitions);

    /** Removes every offset of {@code group}. */
    CompletableFuture<Void> deleteGroup(String group);

    /** Removes the offsets of {@code group} committed at or before {@code cutoffMs}; completes with how many remain. */
    CompletableFuture<Integer> expire(String group, long cutoffMs);

    /** The groups that have committed offsets (read once at startup, may block). */
    List<String> groupIds();
}
