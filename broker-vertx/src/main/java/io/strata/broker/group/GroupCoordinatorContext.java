package io.strata.broker.group;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Runs every call into the {@link GroupCoordinator} on the coordinator's own Vert.x context, so the coordinator's
 * state is only ever touched by one thread, and hands the answer back on the caller's context. A call about one
 * group ({@link #callFor}) is first admitted by {@link GroupCoordinator#admit}: the one place where a request for a
 * group this broker does not coordinate is refused (NOT_COORDINATOR). Thread-safe.
 */
public final class GroupCoordinatorContext {

    private final Context context;
    private final GroupCoordinator coordinator;

    public GroupCoordinatorContext(Context context, GroupCoordinator coordinator) {
        this.context = context;
        this.coordinator = coordinator;
    }

    /**
     * Creates a coordinator on a new Vert.x context, registers the groups that already have committed offsets
     * (a blocking read, meant for broker startup) and starts it.
     *
     * @param ownership {@link GroupOwnership#singleBroker} in single-broker mode, {@link GroupOwnership#of} in a
     *     cluster
     */
    public static GroupCoordinatorContext start(Vertx vertx, GroupConfig config, OffsetStorage storage,
                                                Predicate<TopicPartition> partitionExists, GroupOwnership ownership) {
        return start(vertx, config, storage, GroupStateStorage.inMemoryOnly(), partitionExists, ownership);
    }

    /**
     * As {@link #start(Vertx, GroupConfig, OffsetStorage, Predicate, GroupOwnership)}, with the groups' completed
     * generations kept in {@code states} ({@link MetadataGroupStateStorage} in a cluster).
     */
    public static GroupCoordinatorContext start(Vertx vertx, GroupConfig config, OffsetStorage storage,
                                                GroupStateStorage states, Predicate<TopicPartition> partitionExists,
                                                GroupOwnership ownership) {
        Context context = vertx.getOrCreateContext();
        GroupCoordinator coordinator = new GroupCoordinator(new VertxGroupScheduler(vertx, context, Clock.systemUTC()),
                config, storage, states, partitionExists, ownership);
        List<String> existing = storage.groupIds();
        context.runOnContext(ignored -> coordinator.start(existing));
        return new GroupCoordinatorContext(context, coordinator);
    }


    /**
     * Applies {@code operation} on the coordinator's context if the coordinator admits a request for
     * {@code groupId} ({@link GroupCoordinator#admit}), else answers {@code refused} applied to the error
     * (NOT_COORDINATOR, or COORDINATOR_NOT_AVAILABLE when the offset storage cannot be read). The returned future
     * completes on {@code caller}.
     */
    public <T> Future<T> callFor(Context caller, String groupId, Function<Errors, T> refused,
                                 Function<GroupCoordinator, CompletionStage<T>> operation) {
        return call(caller, coordinator -> coordinator.admit(groupId).thenCompose(error -> error == Errors.NONE
                ? operation.apply(coordinator) : CompletableFuture.completedFuture(refused.apply(error))));
    }

    /** Like {@link #callFor} for an operation that answers at once. */
    public <T> Future<T> callNowFor(Context caller, String groupId, Function<Errors, T> refused,
                                    Function<GroupCoordinator, T> operation) {
        return callFor(caller, groupId, refused,
                coordinator -> CompletableFuture.completedFuture(operation.apply(coordinator)));
    }

    /** Applies {@code operation} on the coordinator's context; the returned future completes on {@code caller}. */
    public <T> Future<T> call(Context caller, Function<GroupCoordinator, CompletionStage<T>> operation) {
        CompletableFuture<T> result = new CompletableFuture<>();
        context.runOnContext(ignored -> {
            try {
                operation.apply(coordinator).whenComplete((value, failure) -> {
                    if (failure != null) {
                        result.completeExceptionally(failure);
                    } else {
                        result.complete(value);
                    }
                });
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return Future.fromCompletionStage(result, caller);
    }

    /** Like {@link #call} for an operation that answers at once. */
    public <T> Future<T> callNow(Context caller, Function<GroupCoordinator, T> operation) {
        return call(caller, coordinator -> CompletableFuture.completedFuture(operation.apply(coordinator)));
    }
}
