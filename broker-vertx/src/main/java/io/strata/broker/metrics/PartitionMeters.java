package io.strata.broker.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.strata.tiering.LogListener;
import io.strata.tiering.TopicLogs;
import io.strata.tiering.log.PartitionLog;
import io.strata.tiering.remote.RemoteLogManager;
import io.strata.tiering.remote.RemoteLogManager.PartitionSizes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.common.TopicPartition;

/**
 * Per-partition size gauges (Kafka's {@code Log} {@code Size}, {@code RemoteLogSizeBytes},
 * {@code RemoteCopyLagBytes}, {@code RemoteCopyLagSegments}; names in {@link BrokerMetrics}), registered
 * when a partition log opens and removed, with the topic's traffic counters, when its topic is deleted.
 * Gauges are read at scrape time only; the remote sizes (a RocksDB scan of the partition's catalog) are
 * sampled at most once a second per partition and shared by the three remote gauges. Thread-safe.
 */
final class PartitionMeters implements LogListener {

    static final String LOG_SIZE = "kafka.log.log.size";
    static final String REMOTE_LOG_SIZE = "kafka.server.brokertopicmetrics.remote.log.size.bytes";
    static final String REMOTE_COPY_LAG_BYTES = "kafka.server.brokertopicmetrics.remote.copy.lag.bytes";
    static final String REMOTE_COPY_LAG_SEGMENTS = "kafka.server.brokertopicmetrics.remote.copy.lag.segments";

    private static final long SAMPLE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final MeterRegistry registry;
    private final Optional<RemoteLogManager> remote;
    private final TopicTraffic traffic;
    private final Map<TopicPartition, List<Meter>> meters = new ConcurrentHashMap<>();

    PartitionMeters(MeterRegistry registry, Optional<RemoteLogManager> remote, TopicTraffic traffic) {
        this.registry = registry;
        this.remote = remote;
        this.traffic = traffic;
    }

    @Override
    public void partitionOpened(PartitionLog log) {
        TopicPartition tp = log.topicPartition();
        remove(tp); // a stale gauge would otherwise be returned by register() and keep reading the old log
        Tags tags = Tags.of("topic", tp.topic(), "partition", Integer.toString(tp.partition()));
        List<Meter> registered = new ArrayList<>();
        registered.add(gauge(LOG_SIZE, tags, log, PartitionLog::sizeInBytes, "Bytes of the local segments"));
        remote.ifPresent(manager -> {
            RemoteSizes sizes = new RemoteSizes(manager, log);
            registered.add(gauge(REMOTE_LOG_SIZE, tags, sizes, s -> s.get().remoteBytes(),
                    "Bytes of the partition's segments in the bucket"));
            registered.add(gauge(REMOTE_COPY_LAG_BYTES, tags, sizes, s -> s.get().copyLagBytes(),
                    "Bytes of sealed local segments not yet copied to the bucket"));
            registered.add(gauge(REMOTE_COPY_LAG_SEGMENTS, tags, sizes, s -> s.get().copyLagSegments(),
                    "Sealed local segments not yet copied to the bucket"));
        });
        meters.put(tp, registered);
    }

    @Override
    public void topicDeleted(TopicLogs topic) {
        for (PartitionLog log : topic.partitions()) {
            remove(log.topicPartition());
        }
        traffic.remove(topic.name());
    }

    private void remove(TopicPartition tp) {
        List<Meter> removed = meters.remove(tp);
        if (removed != null) {
            removed.forEach(registry::remove);
        }
    }

    private <T> Gauge gauge(String name, Tags tags, T state, ToDoubleFunction<T> value, String description) {
        return Gauge.builder(name, state, value).tags(tags).description(description)
                .strongReference(true).register(registry);
    }

    /** The partition's {@link PartitionSizes}, recomputed when older than a second. */
    private static final class RemoteSizes {
        private final RemoteLogManager manager;
        private final PartitionLog log;
        private PartitionSizes last;
        private long sampledAt;

        RemoteSizes(RemoteLogManager manager, PartitionLog log) {
            this.manager = manager;
            this.log = log;
        }

        synchronized PartitionSizes get() {
            long now = System.nanoTime();
            if (last == null || now - sampledAt > SAMPLE_NANOS) {
                last = log.tiered() ? manager.sizes(log) : new PartitionSizes(log.sizeInBytes(), 0, 0, 0);
                sampledAt = now;
            }
            return last;
        }
    }
}
