package io.strata.broker.group;

import io.strata.metadata.StoredGroup;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's side of stored generations (CLUSTER.md rule 10): writes a group's completed generation, and its
 * removal when the group empties or is deleted, to {@link GroupStateStorage} at the slot epoch the coordinator holds
 * the group at, in the order of the group's other writes ({@link PerGroupWrites}, shared with its offsets); loads
 * the stored generation of a group this coordinator takes over; and hands every answer back on the coordinator's
 * thread. Runs on the coordinator's thread. Not thread-safe.
 */
final class GroupGenerations {

    private static final Logger LOGGER = LoggerFactory.getLogger(GroupGenerations.class);

    private final GroupStateStorage storage;
    private final PerGroupWrites writes;
    private final GroupScheduler scheduler;

    GroupGenerations(GroupStateStorage storage, PerGroupWrites writes, GroupScheduler scheduler) {
        this.storage = storage;
        this.writes = writes;
        this.scheduler = scheduler;
    }

    /**
     * Stores the group's current generation; {@code then} runs on the coordinator's thread with the failure, or null
     * once stored (at once, when the storage answered at once).
     */
    void store(ClassicGroup group, Consumer<Throwable> then) {
        StoredGroup stored = group.stored();
        onCoordinatorThread(writes.inOrder(group.groupId, () -> storage.store(group.coordinatorEpoch, stored)),
                (ignored, failure) -> then.accept(failure));
    }

    /**
     * Removes the group's stored generation (it emptied, or is being deleted). A failure is logged and otherwise
     * harmless: a coordinator that loads the stale generation later sees its members' sessions expire.
     */
    CompletableFuture<Void> remove(ClassicGroup group) {
        CompletableFuture<Void> removed = writes.inOrder(group.groupId,
                () -> storage.remove(group.coordinatorEpoch, group.groupId));
        onCoordinatorThread(removed, (ignored, failure) -> logFailure("remove the stored generation", group, failure));
        return removed;
    }

    /** The stored generation of {@code groupId}; completes on any thread. */
    CompletableFuture<Optional<StoredGroup>> load(String groupId) {
        return storage.load(groupId);
    }

    private static void logFailure(String what, ClassicGroup group, Throwable failure) {
        if (failure != null) {
            LOGGER.warn("Could not {} of group {} ({}): {}", what, group.groupId, OffsetStorage.errorOf(failure),
                    failure.toString());
        }
    }

    private <T> void onCoordinatorThread(CompletableFuture<T> future, BiConsumer<T, Throwable> action) {
        if (future.isDone()) {
            future.whenComplete(action);
        } else {
            future.whenComplete((value, failure) -> scheduler.execute(() -> action.accept(value, failure)));
        }
    }
}
