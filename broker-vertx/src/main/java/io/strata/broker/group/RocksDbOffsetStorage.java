package io.strata.broker.group;

import io.strata.index.GroupOffset;
import io.strata.index.GroupOffsetStore;
import io.strata.index.IndexBatch;
import io.strata.index.RocksDbIndexStore;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * {@link OffsetStorage} of single-broker mode, in the broker's RocksDB ({@link GroupOffsetStore}, column family
 * {@code group_offsets}), every read and write on the given pool (the broker's {@code segment-io} pool). Writes go
 * through RocksDB's write-ahead log without fsync, like Kafka's offsets topic in the page cache: a commit survives a
 * crash of the broker process. The slot epoch writes carry is not checked: this broker is the only coordinator.
 * After each write the changed group is reported to {@code changed} (the remote tier's {@code GroupOffsetUploader},
 * which copies it to the bucket later), never waiting for it. Thread-safe.
 */
public final class RocksDbOffsetStorage implements OffsetStorage {

    private final RocksDbIndexStore store;
    private final Executor pool;
    private final Consumer<String> changed;

    /**
     * @param changed told the id of each group whose offsets were written, after the write (must not block)
     */
    public RocksDbOffsetStorage(RocksDbIndexStore store, Executor pool, Consumer<String> changed) {
        this.store = store;
        this.pool = pool;
        this.changed = changed;
    }

    private GroupOffsetStore offsets() {
        return store.groupOffsets();
    }

    private CompletableFuture<Void> write(String group, Consumer<IndexBatch> writes) {
        return CompletableFuture.runAsync(() -> {
            try (IndexBatch batch = store.newBatch()) {
                writes.accept(batch);
                batch.commit(false);
            }
            changed.accept(group);
        }, pool);
    }

    @Override
    public CompletableFuture<Void> commit(int slotEpoch, List<GroupOffset> committed) {
        if (committed.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return write(committed.get(0).group(), batch -> committed.forEach(offset -> offsets().put(batch, offset)));
    }

    @Override
    public CompletableFuture<List<GroupOffset>> fetch(String group) {
        return CompletableFuture.supplyAsync(() -> offsets().list(group), pool);
    }

    @Override
    public CompletableFuture<Void> delete(int slotEpoch, String group, Collection<TopicPartition> partitions) {
        return write(group, batch -> partitions.forEach(tp -> offsets().delete(batch, group, tp.topic(),
                tp.partition())));
    }

    @Override
    public CompletableFuture<Void> deleteGroup(int slotEpoch, String group) {
        return write(group, batch -> offsets().deleteGroup(batch, group));
    }

    @Override
    public CompletableFuture<Integer> expire(int slotEpoch, String group, long cutoffMs) {
        return CompletableFuture.supplyAsync(() -> {
            List<GroupOffset> all = offsets().list(group);
            List<GroupOffset> expired = all.stream().filter(o -> o.commitTimestampMs() <= cutoffMs).toList();
            try (IndexBatch batch = store.newBatch()) {
                expired.forEach(o -> offsets().delete(batch, group, o.topic(), o.partition()));
                batch.commit(false);
            }
            if (!expired.isEmpty()) {
                changed.accept(group);
            }
            return all.size() - expired.size();
        }, pool);
    }

    @Override
    public List<String> groupIds() {
        return offsets().groups();
    }
}
