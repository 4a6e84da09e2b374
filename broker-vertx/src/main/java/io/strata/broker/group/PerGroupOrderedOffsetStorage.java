package io.strata.broker.group;

import io.strata.index.GroupOffset;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;

/**
 * An {@link OffsetStorage} whose writes of one group (commit, delete, group deletion, expiry) reach the underlying
 * storage one at a time, in the order they were called: a write starts only once the group's previous write has
 * finished (successfully or not), through {@link PerGroupWrites}. Without it, two commits of one partition handed to
 * a shared pool could apply in either order, so a committed offset could go backwards or a {@code --reset-offsets}
 * be undone by an older commit.
 * Writes of different groups still run side by side; reads go straight through. Thread-safe.
 */
final class PerGroupOrderedOffsetStorage implements OffsetStorage {

    private final OffsetStorage storage;
    private final PerGroupWrites writes;

    /** @param writes the queue of each group's writes, shared with whatever else the coordinator writes per group */
    PerGroupOrderedOffsetStorage(OffsetStorage storage, PerGroupWrites writes) {
        this.storage = storage;
        this.writes = writes;
    }

    private <T> CompletableFuture<T> inOrder(String group, Supplier<CompletableFuture<T>> write) {
        return writes.inOrder(group, write);
    }

    @Override
    public CompletableFuture<Void> commit(int slotEpoch, List<GroupOffset> offsets) {
        if (offsets.isEmpty()) {
            return storage.commit(slotEpoch, offsets);
        }
        return inOrder(offsets.get(0).group(), () -> storage.commit(slotEpoch, offsets));
    }

    @Override
    public CompletableFuture<List<GroupOffset>> fetch(String group) {
        return storage.fetch(group);
    }

    @Override
    public CompletableFuture<Void> delete(int slotEpoch, String group, Collection<TopicPartition> partitions) {
        return inOrder(group, () -> storage.delete(slotEpoch, group, partitions));
    }

    @Override
    public CompletableFuture<Void> deleteGroup(int slotEpoch, String group) {
        return inOrder(group, () -> storage.deleteGroup(slotEpoch, group));
    }

    @Override
    public CompletableFuture<Integer> expire(int slotEpoch, String group, long cutoffMs) {
        return inOrder(group, () -> storage.expire(slotEpoch, group, cutoffMs));
    }

    @Override
    public List<String> groupIds() {
        return storage.groupIds();
    }
}
