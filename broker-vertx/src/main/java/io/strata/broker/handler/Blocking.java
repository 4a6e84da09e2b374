package io.strata.broker.handler;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Runs blocking storage work on a named pool and brings the result back onto the caller's Vert.x
 * context, so that handlers never block an event loop. Stateless.
 */
public final class Blocking {

    private Blocking() {
    }

    /** {@code work} on {@code pool}; the returned future completes on {@code context}. */
    public static <T> Future<T> run(Context context, Executor pool, Supplier<T> work) {
        return onContext(context, CompletableFuture.supplyAsync(work, pool));
    }

    /** A storage future, completing on {@code context}. */
    public static <T> Future<T> onContext(Context context, CompletionStage<T> stage) {
        return Future.fromCompletionStage(stage, context);
    }
}
