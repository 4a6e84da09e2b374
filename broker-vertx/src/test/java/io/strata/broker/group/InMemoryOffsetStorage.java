package io.strata.broker.group;

import io.strata.index.GroupOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;

/** {@link OffsetStorage} in a map, completing at once (slot epochs unchecked); for coordinator unit tests. */
final class InMemoryOffsetStorage implements OffsetStorage {

    private final Map<String, GroupOffset> offsets = new TreeMap<>();

    private static String key(String group, String topic, int partition) {
        return group + "\u0000" + topic + "\u0000" + partition;
    }

    @Override
    public CompletableFuture<Void> commit(int slotEpoch, List<GroupOffset> committed) {
        committed.forEach(o -> offsets.put(key(o.group(), o.topic(), o.partition()), o));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<List<GroupOffset>> fetch(String group) {
        return CompletableFuture.completedFuture(offsets.values().stream().filter(o -> o.group().equals(group)).toList());
    }

    @Override
    public CompletableFuture<Void> delete(int slotEpoch, String group, Collection<TopicPartition> partitions) {
        partitions.forEach(tp -> offsets.remove(key(group, tp.topic(), tp.partition())));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> deleteGroup(int slotEpoch, String group) {
        offsets.values().removeIf(o -> o.group().equals(group));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Integer> expire(int slotEpoch, String group, long cutoffMs) {
        offsets.values().removeIf(o -> o.group().equals(group) && o.commitTimestampMs() <= cutoffMs);
        return fetch(group).thenApply(List::size);
    }

    @Override
    public List<String> groupIds() {
        return new ArrayList<>(offsets.values().stream().map(GroupOffset::group).distinct().toList());
    }
}
