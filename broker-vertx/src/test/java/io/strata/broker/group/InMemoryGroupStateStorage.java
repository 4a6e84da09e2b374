package io.strata.broker.group;

import io.strata.metadata.StoredGroup;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@link GroupStateStorage} in a map, for coordinator unit tests (slot epochs unchecked): a write completes at once,
 * unless the test holds it back ({@link #holdNextWrite}, as a slow database would) or fails it ({@link #failNextWrite},
 * as a fenced write or an unreachable database would).
 */
final class InMemoryGroupStateStorage implements GroupStateStorage {

    private final Map<String, StoredGroup> stored = new HashMap<>();
    private final HeldWrites writes = new HeldWrites();

    void holdNextWrite() {
        writes.holdNext();
    }

    /** Applies the write held first and completes it. */
    void releaseFirstHeld() {
        writes.releaseFirstHeld();
    }

    void failNextWrite(RuntimeException failure) {
        writes.failNext(failure);
    }

    /** What is stored for {@code groupId} now. */
    Optional<StoredGroup> stored(String groupId) {
        return Optional.ofNullable(stored.get(groupId));
    }

    /** Stores {@code group} as another coordinator would have. */
    void put(StoredGroup group) {
        stored.put(group.groupId(), group);
    }

    private CompletableFuture<Void> write(Runnable apply) {
        return writes.write(apply);
    }

    @Override
    public CompletableFuture<Void> store(int slotEpoch, StoredGroup group) {
        return write(() -> stored.put(group.groupId(), group));
    }

    @Override
    public CompletableFuture<Void> remove(int slotEpoch, String groupId) {
        return write(() -> stored.remove(groupId));
    }

    @Override
    public CompletableFuture<Optional<StoredGroup>> load(String groupId) {
        return CompletableFuture.completedFuture(stored(groupId));
    }
}
