package io.strata.broker.group;

import io.strata.metadata.StoredGroup;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where the coordinator keeps each group's last completed generation with its members (CLUSTER.md rule 10, Kafka's
 * GroupMetadata records), so that a broker that becomes the group's coordinator continues that generation instead
 * of making the members rejoin. Written when a generation completes (the leader's SyncGroup delivered the
 * assignment) and removed when the group empties or is deleted. Implementations are thread-safe; futures may
 * complete on any thread, and fail as {@link OffsetStorage}'s do ({@link OffsetStorage#errorOf}): NOT_COORDINATOR
 * when the write was fenced because the group's coordinator slot moved.
 */
public interface GroupStateStorage {

    /**
     * Stores the group's generation, replacing the stored one, if this broker still leads the group's coordinator
     * slot at {@code slotEpoch} (the epoch at which the coordinator holds the group).
     */
    CompletableFuture<Void> store(int slotEpoch, StoredGroup group);

    /** Removes the stored generation of {@code groupId} (nothing when none is stored), fenced as {@link #store}. */
    CompletableFuture<Void> remove(int slotEpoch, String groupId);

    /** The stored generation of {@code groupId}, empty when none is stored. */
    CompletableFuture<Optional<StoredGroup>> load(String groupId);

    /**
     * Keeps nothing: membership lives in the coordinator's memory only, and a group comes back empty after a restart
     * (single-broker mode, where the one broker is every group's coordinator).
     */
    static GroupStateStorage inMemoryOnly() {
        return new GroupStateStorage() {
            @Override
            public CompletableFuture<Void> store(int slotEpoch, StoredGroup group) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public CompletableFuture<Void> remove(int slotEpoch, String groupId) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public CompletableFuture<Optional<StoredGroup>> load(String groupId) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
        };
    }
}
