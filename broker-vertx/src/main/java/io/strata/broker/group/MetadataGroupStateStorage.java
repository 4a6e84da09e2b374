package io.strata.broker.group;

import io.strata.metadata.MetadataStore;
import io.strata.metadata.StoredGroup;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * {@link GroupStateStorage} in the cluster's metadata database ({@link MetadataStore#storeGroup} and friends): every
 * write names the group's coordinator slot, this broker and the slot epoch at which the coordinator holds the group,
 * and the database makes it only if this broker leads the slot at exactly that epoch, in the same transaction (as
 * {@link MetadataOffsetStorage} does for offsets; failures and threads as {@link SlotFencedCalls} says). So a
 * coordinator that took the slot over reads the last generation the old one completed, and the old one cannot store
 * another. Thread-safe.
 */
public final class MetadataGroupStateStorage implements GroupStateStorage {

    private final SlotFencedCalls calls;

    /** @param pool where the blocking database calls run (the broker's pool for metadata calls) */
    public MetadataGroupStateStorage(MetadataStore store, SlotLeases leases, Executor pool) {
        this.calls = new SlotFencedCalls(store, leases, pool);
    }

    @Override
    public CompletableFuture<Void> store(int slotEpoch, StoredGroup group) {
        return calls.call(() -> {
            calls.fenced(group.groupId(), slotEpoch, (store, slot, coordinator, epoch) ->
                    store.storeGroup(slot, coordinator, epoch, group));
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> remove(int slotEpoch, String groupId) {
        return calls.call(() -> {
            calls.fenced(groupId, slotEpoch, (store, slot, coordinator, epoch) ->
                    store.deleteStoredGroup(slot, coordinator, epoch, groupId));
            return null;
        });
    }

    @Override
    public CompletableFuture<Optional<StoredGroup>> load(String groupId) {
        return calls.call(() -> calls.store().storedGroup(groupId));
    }
}
