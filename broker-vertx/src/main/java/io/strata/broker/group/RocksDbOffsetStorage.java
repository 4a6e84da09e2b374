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
 * {@link OffsetStorage} in the broker's RocksDB ({@link GroupOffsetStore}, column family {@code group_offsets}),
 * every read and write on the given pool (the broker's {@code segment-io} pool). Writes go through RocksDB's
 * write-ahead log without fsync, like Kafka's offsets topic in the page cache: a commit survives a crash of the
 * broker process. Thread-safe.
 */
public final class RocksDbOffsetStorage implements OffsetStorage {

    private final RocksDbIndexStore store;
    private final Executor pool;

    public RocksDbOffsetStorage(RocksDbIndexStore store, Executor pool) {
        this.store = store;
        this.pool = pool;
    }

    private GroupOffsetStore offsets() {
        return store.groupOffsets();
    }

    private CompletableFuture<Void> write(Consumer<IndexBatch> writes) {
        return CompletableFuture.runAsync(() -> {
            try (IndexBatch batch = store.newBatch()) {
                writes.accept(batch);
                batch.commit(false);
            }
        }, pool);
    }

    @Override
    public CompletableFuture<Void> commit(List<GroupOffset> committed) {
        return write(batch -> committed.forEach(offset -> offsets().put(batch, offset)));
    }

    @Override
    public CompletableFuture<List<GroupOffset>> fetch(String group) {
        return CompletableFuture.supplyAsync(() -> offsets().list(group), pool);
    }

    @Override
    public CompletableFuture<Void> delete(String group, Collection<TopicPartition> partitions) {
        return write(batch -> partitions.forEach(tp -> offsets().delete(batch, group, tp.topic(), tp.partition())));
    }

    @Override
    public CompletableFuture<Void> deleteGroup(String group) {
        return write(batch -> offsets().deleteGroup(batch, group));
    }

    @Override
    public CompletableFuture<Integer> expire(String group, long cutoffMs) {
        return CompletableFuture.supplyAsync(() -> {
            List<GroupOffset> all = offsets().list(group);
            List<GroupOffset> expired = all.stream().filter(o -> o.commitTimestampMs() <= cutoffMs).toList();
            try (IndexBatch batch = store.newBatch()) {
                expired.forEach(o -> offsets().delete(batch, group, o.topic(), o.partition()));
                batch.commit(false);
            }
            return all.size() - expired.size();
        }, pool);
    }

    @Override
    public List<String> groupIds() {
        return offsets().groups();
    }
}
