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

/**
 * Runs every call into the {@link GroupCoordinator} on the coordinator's own Vert.x context, so the coordinator's
 * state is only ever touched by one thread, and hands the answer back on the caller's context. Thread-safe.
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
     */
    public static GroupCoordinatorContext start(Vertx vertx, GroupConfig config, OffsetStorage storage,
                                                Predicate<TopicPartition> partitionExists) {
        Context context = vertx.getOrCreateContext();
        GroupCoordinator coordinator = new GroupCoordinator(new VertxGroupScheduler(vertx, context, Clock.systemUTC()),
                config, storage, partitionExists);
        List<String> existing = storage.groupIds();
        context.runOnContext(ignored -> coordinator.start(existing));
        return new GroupCoordinatorContext(context, coordinator);
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
