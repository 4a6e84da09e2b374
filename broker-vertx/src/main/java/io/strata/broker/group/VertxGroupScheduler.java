package io.strata.broker.group;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Clock;

/**
 * {@link GroupScheduler} on one Vert.x context: timers are Vert.x timers set from that context (so they fire on it),
 * {@link #execute} is {@link Context#runOnContext}. Thread-safe.
 */
public final class VertxGroupScheduler implements GroupScheduler {

    private final Vertx vertx;
    private final Context context;
    private final Clock clock;

    public VertxGroupScheduler(Vertx vertx, Context context, Clock clock) {
        this.vertx = vertx;
        this.context = context;
        this.clock = clock;
    }

    @Override
    public long nowMs() {
        return clock.millis();
    }

    @Override
    public Timer schedule(long delayMs, Runnable task) {
        long id = vertx.setTimer(Math.max(1, delayMs), ignored -> task.run());
        return () -> vertx.cancelTimer(id);
    }

    @Override
    public void execute(Runnable task) {
        context.runOnContext(ignored -> task.run());
    }
}
