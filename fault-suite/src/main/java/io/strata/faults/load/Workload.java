package io.strata.faults.load;

import io.strata.faults.check.History;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The load of a fault run: {@code producers} {@link CheckedProducer}s ({@code p0}, {@code p1}, ...) and
 * {@code consumers} {@link CheckedConsumer}s on one topic, all reporting to one {@link History}.
 * Not thread-safe.
 */
public final class Workload implements AutoCloseable {

    private final History history = new History();
    private final List<CheckedProducer> producers = new ArrayList<>();
    private final List<CheckedConsumer> consumers = new ArrayList<>();
    private boolean closed;

    public Workload(String bootstrap, String topic, int partitions, int producerCount, int consumerCount,
                    CheckedProducer.Settings settings) {
        this(bootstrap, topic, partitions, producerCount, consumerCount, settings, "");
    }

    /**
     * As above, with producers named {@code <names>p0}, {@code <names>p1}, ... (so their values differ from those of
     * another workload on the same topic name), consumers {@code <names>c0}, ...
     */
    public Workload(String bootstrap, String topic, int partitions, int producerCount, int consumerCount,
                    CheckedProducer.Settings settings, String names) {
        for (int i = 0; i < producerCount; i++) {
            producers.add(new CheckedProducer(names + "p" + i, bootstrap, topic, partitions, history, settings));
        }
        for (int i = 0; i < consumerCount; i++) {
            consumers.add(new CheckedConsumer(names + "c" + i, bootstrap, topic, partitions, history));
        }
    }

    public Workload start() {
        producers.forEach(CheckedProducer::start);
        consumers.forEach(CheckedConsumer::start);
        return this;
    }

    public History history() {
        return history;
    }

    public long acknowledged() {
        return history.acknowledgedCount();
    }

    public long failed() {
        return history.failedCount();
    }

    /** Records the consumers read so far, all together. */
    public long consumed() {
        return consumers.stream().mapToLong(CheckedConsumer::read).sum();
    }

    /** Waits until {@code acknowledged()} reaches {@code target}; false on timeout. */
    public boolean awaitAcknowledged(long target, Duration timeout) throws InterruptedException {
        return awaitAtLeast(this::acknowledged, target, timeout);
    }

    /** Waits until {@code counter} reaches {@code target}; false on timeout. */
    public static boolean awaitAtLeast(LongSupplier counter, long target, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (counter.getAsLong() < target) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        return true;
    }

    /** Stops the producers (each waits for its outstanding sends), then the consumers. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (CheckedProducer producer : producers) {
            producer.close();
        }
        for (CheckedConsumer consumer : consumers) {
            consumer.close();
        }
    }
}
