package io.strata.broker.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.strata.broker.network.RequestObserver;
import io.strata.tiering.LogManager;
import io.strata.tiering.log.LogDirHealth;
import io.strata.tiering.wal.WalMetrics;
import java.util.Collection;
import java.util.function.IntSupplier;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The broker's meters, in one Micrometer {@link PrometheusMeterRegistry} per broker, served as Prometheus
 * text by {@link MetricsHttpServer}. Names follow Apache Kafka's JMX names where Kafka has the metric
 * ({@code kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec} becomes
 * {@code kafka_server_brokertopicmetrics_bytes_in_total}); Kafka's per-second rates are counters here
 * (take {@code rate()}), its millisecond timings are histograms in seconds.
 *
 * <table>
 *   <caption>Prometheus series and their Kafka counterparts</caption>
 *   <tr><th>series</th><th>labels</th><th>Kafka metric</th></tr>
 *   <tr><td>{@code kafka_server_brokertopicmetrics_bytes_in_total}</td><td>{@code topic}, or none for the
 *       broker</td><td>BrokerTopicMetrics BytesInPerSec</td></tr>
 *   <tr><td>{@code kafka_server_brokertopicmetrics_bytes_out_total}</td><td>{@code topic}, or none</td>
 *       <td>BrokerTopicMetrics BytesOutPerSec</td></tr>
 *   <tr><td>{@code kafka_server_brokertopicmetrics_messages_in_total}</td><td>{@code topic}, or none</td>
 *       <td>BrokerTopicMetrics MessagesInPerSec</td></tr>
 *   <tr><td>{@code kafka_network_requestmetrics_requests_total}</td><td>{@code request}</td>
 *       <td>RequestMetrics RequestsPerSec</td></tr>
 *   <tr><td>{@code kafka_network_requestmetrics_total_time_seconds} (histogram)</td><td>{@code request}</td>
 *       <td>RequestMetrics TotalTimeMs</td></tr>
 *   <tr><td>{@code kafka_network_requestmetrics_errors_total}</td><td>{@code request}, {@code error}</td>
 *       <td>RequestMetrics ErrorsPerSec (here: failed handlers only, not per-partition error codes)</td></tr>
 *   <tr><td>{@code kafka_server_delayedoperationpurgatory_purgatory_size}</td><td>{@code delayedOperation}
 *       = {@code Produce} | {@code Fetch}</td><td>DelayedOperationPurgatory PurgatorySize</td></tr>
 *   <tr><td>{@code kafka_log_logmanager_offline_log_directory_count}</td><td>none</td><td>LogManager
 *       OfflineLogDirectoryCount (1 once a failed fsync or RocksDB write took the data directory offline)</td></tr>
 *   <tr><td>{@code kafka_server_replicamanager_offline_replica_count}</td><td>none</td><td>ReplicaManager
 *       OfflineReplicaCount (partitions taken offline one by one by a failed write or read of their files)</td></tr>
 *   <tr><td>{@code kafka_log_log_size}</td><td>{@code topic}, {@code partition}</td><td>Log Size (local
 *       segments)</td></tr>
 *   <tr><td>{@code kafka_server_brokertopicmetrics_remote_log_size_bytes}</td><td>{@code topic},
 *       {@code partition}</td><td>RemoteLogSizeBytes</td></tr>
 *   <tr><td>{@code kafka_server_brokertopicmetrics_remote_copy_lag_bytes},
 *       {@code ..._remote_copy_lag_segments}</td><td>{@code topic}, {@code partition}</td>
 *       <td>RemoteCopyLagBytes, RemoteCopyLagSegments</td></tr>
 *   <tr><td>{@code kafka_server_brokertopicmetrics_remote_copy_bytes_total}, {@code ..._requests_total},
 *       {@code ..._errors_total}</td><td>none</td><td>RemoteCopyBytesPerSec, RemoteCopyRequestsPerSec,
 *       RemoteCopyErrorsPerSec</td></tr>
 *   <tr><td>{@code kafka_server_brokertopicmetrics_remote_fetch_bytes_total}, {@code ..._requests_total},
 *       {@code ..._errors_total}</td><td>none</td><td>RemoteFetchBytesPerSec, RemoteFetchRequestsPerSec,
 *       RemoteFetchErrorsPerSec</td></tr>
 *   <tr><td>{@code strata_remote_cache_hits_total}, {@code _misses_total}, {@code _evictions_total},
 *       {@code _gets_total}, {@code strata_remote_cache_size_bytes}, {@code strata_remote_deleted_segments_total}
 *       </td><td>none</td><td>none (Strata's chunk cache of remote segments)</td></tr>
 *   <tr><td>{@code strata_wal_puts_total}, {@code strata_wal_put_bytes_total}, {@code strata_wal_put_errors_total},
 *       {@code strata_wal_commits_total}, {@code strata_wal_commit_errors_total},
 *       {@code strata_wal_fenced_ranges_total}, {@code strata_wal_objects_in_flight},
 *       {@code strata_wal_linger_fill_ratio}, {@code strata_wal_commit_latency_seconds} (histogram),
 *       {@code strata_wal_gc_objects_collected_total}, {@code strata_wal_gc_orphans_collected_total},
 *       {@code strata_wal_gc_writers_revoked_total}, {@code strata_wal_gc_failed_passes_total}</td><td>none</td>
 *       <td>none (the write-ahead log, while it is on: {@link #bindWal})</td></tr>
 *   <tr><td>{@code jvm_*}, {@code process_*}, {@code system_*}</td><td>Micrometer's</td><td>JVM and process
 *       metrics (memory, GC, threads, classes, CPU, uptime, file descriptors)</td></tr>
 * </table>
 *
 * <p>The Produce purgatory counts Produce requests whose appends are still running (a record batch is
 * acknowledged once written, or fsynced when {@code flush.messages} asks for it); the Fetch purgatory
 * counts fetches parked waiting for {@code fetch.min.bytes} (long poll).
 *
 * <p>Thread-safe. {@link #close()} waits for a running scrape, so that no gauge reads a closed log
 * manager.
 */
public final class BrokerMetrics implements AutoCloseable {

    static final String PURGATORY_SIZE = "kafka.server.delayedoperationpurgatory.purgatory.size";
    static final String OFFLINE_LOG_DIRECTORIES = "kafka.log.logmanager.offline.log.directory.count";
    static final String OFFLINE_REPLICAS = "kafka.server.replicamanager.offline.replica.count";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final TopicTraffic traffic = new TopicTraffic(registry);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private boolean closed;

    public BrokerMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** Per-topic bytes and records in and out, for the Produce and Fetch handlers. */
    public TopicTraffic traffic() {
        return traffic;
    }

    /** Creates the request meters of the {@code served} APIs and returns the hook that records them. */
    public RequestObserver requests(Collection<ApiKeys> served) {
        return new RequestMetrics(registry, served);
    }

    /** Gauges the Produce and Fetch purgatories (see the class comment). */
    public void bindPurgatories(IntSupplier produce, IntSupplier fetch) {
        Gauge.builder(PURGATORY_SIZE, produce::getAsInt).tag("delayedOperation", "Produce")
                .description("Produce requests waiting for their appends").register(registry);
        Gauge.builder(PURGATORY_SIZE, fetch::getAsInt).tag("delayedOperation", "Fetch")
                .description("Fetches waiting for fetch.min.bytes (long poll)").register(registry);
    }

    /** Per-partition size gauges for every partition log, and the remote tier's counters when it tiers. */
    public void bindLogs(LogManager logs) {
        LogDirHealth health = logs.health();
        Gauge.builder(OFFLINE_LOG_DIRECTORIES, health, LogDirHealth::offlineLogDirectoryCount).strongReference(true)
                .description("Log directories offline after a storage failure").register(registry);
        Gauge.builder(OFFLINE_REPLICAS, health, LogDirHealth::offlinePartitionCount).strongReference(true)
                .description("Partitions offline after a failed write or read of their files").register(registry);
        logs.addListener(new PartitionMeters(registry, logs.remote(), traffic));
        logs.remote().ifPresent(remote -> RemoteTierMeters.bind(registry, remote.metrics(), remote.cache()));
    }

    /**
     * The write-ahead log's counters, gauges and commit latency histogram ({@link WalMeters}), and its garbage
     * collection's counters ({@link WalGcMeters}).
     */
    public void bindWal(WalMetrics wal, io.strata.tiering.wal.WalGcMetrics gc) {
        WalMeters.bind(registry, wal);
        WalGcMeters.bind(registry, gc);
    }

    /**
     * Prometheus text exposition (format 0.0.4) of every meter. Reads gauges, some of which scan
     * RocksDB: call it off the event loop.
     */
    public synchronized String scrape() {
        if (closed) {
            throw new IllegalStateException("the broker's metrics are closed");
        }
        return registry.scrape();
    }

    /** Drops every meter; a later scrape fails. */
    @Override
    public synchronized void close() {
        closed = true;
        gc.close();
        registry.clear();
        registry.close();
    }
}
