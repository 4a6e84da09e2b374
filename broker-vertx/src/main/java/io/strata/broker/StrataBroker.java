package io.strata.broker;

import io.strata.broker.cluster.Cluster;
import io.strata.broker.cluster.ClusterOfOne;
import io.strata.broker.cluster.MetadataCluster;
import io.strata.broker.cluster.SingleBrokerWal;
import io.strata.broker.cluster.SharedPrefixLease;
import io.strata.broker.config.ClusterSettings;
import io.strata.broker.config.BrokerConfig;
import io.strata.broker.config.ClaimSettings;
import io.strata.broker.config.TieringSettings;
import io.strata.broker.config.WalConfig;
import io.strata.broker.config.Endpoint;
import io.strata.broker.fetch.FetchWaiters;
import io.strata.broker.group.GroupConfig;
import io.strata.broker.group.GroupCoordinatorContext;
import io.strata.broker.group.GroupOwnership;
import io.strata.broker.group.MetadataGroupStateStorage;
import io.strata.broker.group.MetadataOffsetStorage;
import io.strata.broker.group.RocksDbOffsetStorage;
import io.strata.broker.handler.AlterConfigsHandler;
import io.strata.broker.handler.AlterPartitionReassignmentsHandler;
import io.strata.broker.handler.ListPartitionReassignmentsHandler;
import io.strata.broker.handler.CreatePartitionsHandler;
import io.strata.broker.handler.CreateTopicsHandler;
import io.strata.broker.handler.DescribeConfigsHandler;
import io.strata.broker.handler.DescribeLogDirsHandler;
import io.strata.broker.handler.DescribeProducersHandler;
import io.strata.broker.handler.IncrementalAlterConfigsHandler;
import io.strata.broker.handler.OffsetForLeaderEpochHandler;
import io.strata.broker.handler.DeleteGroupsHandler;
import io.strata.broker.handler.DeleteRecordsHandler;
import io.strata.broker.handler.DeleteTopicsHandler;
import io.strata.broker.handler.DescribeClusterHandler;
import io.strata.broker.handler.DescribeGroupsHandler;
import io.strata.broker.handler.DescribeTopicPartitionsHandler;
import io.strata.broker.handler.FetchHandler;
import io.strata.broker.handler.FindCoordinatorHandler;
import io.strata.broker.handler.HeartbeatHandler;
import io.strata.broker.handler.InitProducerIdHandler;
import io.strata.broker.handler.JoinGroupHandler;
import io.strata.broker.handler.LeaveGroupHandler;
import io.strata.broker.handler.ListGroupsHandler;
import io.strata.broker.handler.ListOffsetsHandler;
import io.strata.broker.handler.MetadataHandler;
import io.strata.broker.handler.OffsetCommitHandler;
import io.strata.broker.handler.OffsetDeleteHandler;
import io.strata.broker.handler.OffsetFetchHandler;
import io.strata.broker.handler.ProduceHandler;
import io.strata.broker.handler.SyncGroupHandler;
import io.strata.broker.handler.TopicDefaults;
import io.strata.broker.metrics.BrokerMetrics;
import io.strata.broker.metrics.BrokerReadiness;
import io.strata.broker.metrics.MetricsHttpServer;
import io.strata.broker.network.KafkaServer;
import io.strata.broker.protocol.ApiHandlerRegistry;
import io.strata.tiering.LogManager;
import io.strata.tiering.LogManagerSchedule;
import io.strata.tiering.config.TopicConfigDef;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import io.strata.tiering.wal.WalSettings;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running broker: the log manager over the data directory, Vert.x, the API handlers, the Kafka
 * listener and the HTTP server for metrics and health ({@link MetricsHttpServer}, unless
 * {@code http.port=-1}). {@link #start(BrokerConfig)} binds the HTTP server first, so that {@code /health}
 * answers and {@code /ready} says why not while the data directory is recovered, and blocks until the
 * Kafka listener is bound; {@link #close()} stops accepting, then flushes and closes every log (a clean
 * shutdown). Used by {@code main} and by in-process tests. Thread-safe.
 */
public final class StrataBroker implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(StrataBroker.class);

    private final BrokerConfig config;
    private final LogManager logs;
    private final Vertx vertx;
    private final KafkaServer server;
    private final AtomicReference<BrokerIdentity> identity;
    private final Bucket bucket;
    private final Monitoring monitoring;
    private final DataDirectoryLock lock;
    private final Optional<MetadataCluster> cluster;
    private final Optional<SingleBrokerWal> localWal;
    private volatile boolean closed;

    private StrataBroker(BrokerConfig config, LogManager logs, Vertx vertx, KafkaServer server,
                         AtomicReference<BrokerIdentity> identity, Bucket bucket, Monitoring monitoring,
                         DataDirectoryLock lock, Optional<MetadataCluster> cluster, Optional<SingleBrokerWal> localWal) {
        this.config = config;
        this.logs = logs;
        this.vertx = vertx;
        this.server = server;
        this.identity = identity;
        this.bucket = bucket;
        this.monitoring = monitoring;
        this.lock = lock;
        this.cluster = cluster;
        this.localWal = localWal;
    }

    /** The metrics, the readiness state and the HTTP server serving them, created before anything else. */
    private record Monitoring(BrokerMetrics metrics, BrokerReadiness readiness, Optional<MetricsHttpServer> http) {

        static Monitoring start(Vertx vertx, BrokerConfig config) {
            BrokerMetrics metrics = new BrokerMetrics();
            BrokerReadiness readiness = new BrokerReadiness();
            OptionalInt port = config.httpPort();
            if (port.isEmpty()) {
                return new Monitoring(metrics, readiness, Optional.empty());
            }
            try {
                MetricsHttpServer http = awaitResult(MetricsHttpServer.start(vertx, config.httpHost(), port.getAsInt(),
                        metrics, readiness));
                return new Monitoring(metrics, readiness, Optional.of(http));
            } catch (Exception e) {
                metrics.close();
                throw new StartupFailure("Could not bind the HTTP server to " + config.httpHost() + ":"
                        + port.getAsInt() + " (" + StartupFailure.deepestMessage(e)
                        + "): another process uses that port; stop it or set " + BrokerConfig.HTTP_PORT
                        + " to another port (-1 disables the HTTP server).");
            }
        }

        void close() {
            readiness.closing();
            http.ifPresent(server -> await(server.close(), "The HTTP server"));
            metrics.close();
        }
    }

    /**
     * Locks the data directory ({@link DataDirectoryLock}), opens it (recovering it if needed), binds the listener
     * and returns the running broker.
     *
     * @throws StartupFailure when the user can fix what failed (a setting, the bucket, a port, the data directory)
     */
    public static StrataBroker start(BrokerConfig config) {
        TieringSettings tiering = TieringSettings.from(config);
        ClusterSettings clusterSettings = ClusterSettings.from(config);
        // A bad wal.* setting stops the start here, in one line
        Optional<WalSettings> walSettings = WalConfig.from(config, clusterSettings.clustered());
        boolean walOn = walSettings.isPresent();
        if (walOn && !clusterSettings.clustered() && (!tiering.enabled() || tiering.embedded())) {
            throw new StartupFailure(WalConfig.ENABLE + "=true needs a bucket on another machine: set s3.endpoint"
                    + " (STRATA_S3_ENDPOINT) and s3.bucket, and leave " + TieringSettings.ENABLE + " on; the embedded"
                    + " S3 server keeps its objects on this broker's disk, which the write-ahead log must survive.");
        }
        if (clusterSettings.clustered() && (!tiering.enabled() || tiering.embedded())) {
            // Before anything is opened: one line, exit code 1
            throw new StartupFailure("Cluster mode (" + ClusterSettings.METADATA_STORE + ") needs one bucket that"
                    + " every broker reaches: set s3.endpoint (STRATA_S3_ENDPOINT) and s3.bucket to it, and leave "
                    + TieringSettings.ENABLE + " on; a partition moves between brokers through the bucket.");
        }
        DataDirectoryLock lock = DataDirectoryLock.acquire(config.logDir());
        Vertx vertx = null;
        Monitoring monitoring = null;
        Bucket bucket = null;
        LogManager logs = null;
        MetadataCluster cluster = null;
        SingleBrokerWal localWal = null;
        try {
            vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Math.max(1, config.numNetworkThreads())));
            monitoring = Monitoring.start(vertx, config);
            bucket = openBucket(config, tiering, monitoring.readiness());
            SharedPrefixLease shared = new SharedPrefixLease();
            if (clusterSettings.clustered()) {
                // The brokers of a cluster share the prefix; leader epochs in the database fence each partition
                bucket.sharePrefix(shared);
            } else {
                bucket.claimPrefix(config.logDir(), config.nodeId(), ClaimSettings.from(config),
                        monitoring.readiness()::fenced);
            }
            // With the WAL a cluster's broker opens each partition from the bucket when it comes to lead it: it need
            // not restore every partition's catalog at start on an empty disk
            logs = openLogs(config, bucket, !(walOn && clusterSettings.clustered()));
            if (clusterSettings.clustered()) {
                cluster = MetadataCluster.open(clusterSettings, config.nodeId(), logs, shared,
                        walSettings, bucket.store().orElseThrow());
            } else if (walOn) {
                localWal = SingleBrokerWal.open(logs, bucket.remoteStorage().orElseThrow(), config.nodeId(),
                        walSettings.get());
            }
            logs.limitPartitions(config.maxPartitions());
            monitoring.readiness().logsOpened();
            monitoring.metrics().bindLogs(logs);
            if (cluster != null) {
                monitoring.metrics().bindWal(cluster.walMetrics(), cluster.walGcMetrics());
            } else if (localWal != null) {
                monitoring.metrics().bindWal(localWal.metrics(), localWal.gcMetrics());
            }
            return start(config, tiering, vertx, logs, bucket, monitoring, lock, Optional.ofNullable(cluster),
                    Optional.ofNullable(localWal));
        } catch (Exception e) {
            if (monitoring != null) {
                monitoring.close();
            }
            if (vertx != null) {
                vertx.close();
            }
            if (cluster != null) {
                cluster.close();
            }
            if (localWal != null) {
                localWal.close();
            }
            if (logs != null) {
                logs.close();
            }
            if (bucket != null) {
                bucket.close();
            }
            lock.close();
            throw StartupFailure.explain(e, config, tiering);
        }
    }

    /** Opens the bucket and checks, in the background, that it answers (for {@code /ready}). */
    private static Bucket openBucket(BrokerConfig config, TieringSettings tiering, BrokerReadiness readiness) {
        Bucket bucket = Bucket.open(tiering, config.logDir());
        bucket.probe().whenComplete((ignored, error) -> {
            if (error == null) {
                readiness.bucketReachable();
            } else {
                readiness.bucketUnreachable(StartupFailure.describeBucketFailure(error, tiering));
            }
        });
        return bucket;
    }

    private static LogManager openLogs(BrokerConfig config, Bucket bucket, boolean restoreFromBucket) {
        LogManagerSchedule schedule = new LogManagerSchedule(
                config.getLong(BrokerConfig.LOG_RETENTION_CHECK_INTERVAL_MS, 300_000),
                config.getLong(BrokerConfig.LOG_FLUSH_SCHEDULER_INTERVAL_MS, 1_000),
                config.getLong(BrokerConfig.LOG_ROLL_CHECK_INTERVAL_MS, 10_000));
        return LogManager.open(config.logDir(), topicDefaults(config), Clock.systemUTC(), schedule,
                config.workerPoolSize(), bucket.remoteStorage(), restoreFromBucket);
    }

    private static StrataBroker start(BrokerConfig config, TieringSettings tiering, Vertx vertx, LogManager logs,
                                      Bucket bucket, Monitoring monitoring, DataDirectoryLock lock,
                                      Optional<MetadataCluster> clustered, Optional<SingleBrokerWal> localWal)
            throws Exception {
        Endpoint advertised = config.advertisedListener();
        AtomicReference<BrokerIdentity> identity = new AtomicReference<>(
                new BrokerIdentity(config.nodeId(), advertised.host(), advertised.port(), logs.clusterId()));
        FetchWaiters waiters = new FetchWaiters();
        // With a write-ahead log, records become readable when committed: commits wake the waiting fetches
        logs.addListener(new io.strata.tiering.LogListener() {
            @Override
            public void partitionOpened(io.strata.tiering.log.PartitionLog log) {
                log.onCommit((committed, bytes) -> waiters.appended(committed.topicPartition(), bytes));
            }

            @Override
            public void topicDeleted(io.strata.tiering.TopicLogs topic) {
            }
        });
        TopicDefaults defaults = new TopicDefaults(config.autoCreateTopicsEnable(), config.numPartitions(),
                config.defaultReplicationFactor());
        Cluster cluster = clustered.<Cluster>map(c -> c).orElseGet(() -> new ClusterOfOne(logs, identity::get));
        // Committed offsets: in cluster mode in the metadata database, fenced by the coordinator slot's epoch;
        // else in RocksDB, copied to the bucket every offsets.bucket.sync.interval.ms. Group generations: in cluster
        // mode in the metadata database, fenced the same way (a new coordinator continues them); else in memory
        GroupCoordinatorContext groups = clustered
                .map(c -> GroupCoordinatorContext.start(vertx, GroupConfig.from(config),
                        clusterOffsets(c, logs),
                        new MetadataGroupStateStorage(c.store(), c.slotLeases(), logs.ioExecutor()),
                        c::partitionExists, GroupOwnership.of(c, c.slotLeases())))
                .orElseGet(() -> GroupCoordinatorContext.start(vertx, GroupConfig.from(config),
                        new RocksDbOffsetStorage(logs.indexStore(), logs.ioExecutor(), groupOffsetsChanged(logs)),
                        tp -> logs.log(tp).isPresent(), GroupOwnership.singleBroker(cluster)));
        BrokerMetrics metrics = monitoring.metrics();
        ProduceHandler produce = new ProduceHandler(logs, cluster, waiters, metrics.traffic());
        metrics.bindPurgatories(produce::waitingRequests, waiters::waitingFetches);
        ApiHandlerRegistry registry = new ApiHandlerRegistry(List.of(
                new MetadataHandler(logs, cluster, defaults),
                new CreateTopicsHandler(logs, cluster, defaults),
                new DeleteTopicsHandler(logs, cluster),
                new DeleteRecordsHandler(logs),
                new DescribeConfigsHandler(logs, config),
                new AlterConfigsHandler(logs, cluster),
                new IncrementalAlterConfigsHandler(logs, cluster),
                new CreatePartitionsHandler(logs, cluster, config.nodeId()),
                new DescribeLogDirsHandler(logs, cluster),
                new AlterPartitionReassignmentsHandler(logs, cluster),
                new ListPartitionReassignmentsHandler(cluster, logs.ioExecutor()),
                new OffsetForLeaderEpochHandler(logs, cluster),
                new DescribeProducersHandler(logs),
                produce,
                new FetchHandler(logs, cluster, waiters, tiering.remoteFetchMaxWaitMs(), config.fetchMaxBytes(),
                        config.fetchMaxWaitMs(), metrics.traffic()),
                new ListOffsetsHandler(logs, cluster),
                new InitProducerIdHandler(logs, cluster),
                new DescribeClusterHandler(cluster),
                new DescribeTopicPartitionsHandler(logs, cluster),
                new FindCoordinatorHandler(cluster),
                new JoinGroupHandler(groups),
                new SyncGroupHandler(groups),
                new HeartbeatHandler(groups),
                new LeaveGroupHandler(groups),
                new OffsetCommitHandler(groups),
                new OffsetFetchHandler(groups),
                new ListGroupsHandler(groups),
                new DescribeGroupsHandler(groups),
                new DeleteGroupsHandler(groups),
                new OffsetDeleteHandler(groups)));
        KafkaServer server = new KafkaServer(vertx, config, registry, metrics.requests(registry.apiKeys()));
        int port = awaitResult(server.start());
        monitoring.readiness().listenerBound();
        Endpoint bound = server.advertisedEndpoint();
        identity.set(new BrokerIdentity(config.nodeId(), bound.host(), bound.port(), logs.clusterId()));
        clustered.ifPresent(c -> c.join(bound));
        LOGGER.info("Strata broker {} listening on {}:{} (advertised {}:{}), data in {}, {}, cluster id {}{}",
                config.nodeId(), config.listener().host(), port, bound.host(), bound.port(),
                config.logDir().toAbsolutePath().normalize(), bucket.describe(), logs.clusterId(),
                monitoring.http().map(h -> ", metrics on http://" + config.httpHost() + ":" + h.port() + "/metrics")
                        .orElse(", HTTP server disabled"));
        // Logged once started: a start that fails on the bucket says so in its own line
        bucket.probe().whenComplete((ignored, error) -> {
            if (error != null) {
                LOGGER.warn("The bucket did not answer at start-up: {} /ready reports it",
                        StartupFailure.describeBucketFailure(error, tiering));
            }
        });
        return new StrataBroker(config, logs, vertx, server, identity, bucket, monitoring, lock, clustered, localWal);
    }

    /**
     * Committed offsets in the metadata database; each group changed here is copied to the bucket (its group
     * manifest, from which {@code strata metadata restore} rebuilds them).
     */
    private static MetadataOffsetStorage clusterOffsets(MetadataCluster cluster, LogManager logs) {
        MetadataOffsetStorage offsets = new MetadataOffsetStorage(cluster.store(), cluster.slotLeases(),
                cluster.topicIds(), logs.ioExecutor(), groupOffsetsChanged(logs));
        logs.remote().ifPresent(remote -> remote.groupOffsets().useSource(offsets));
        return offsets;
    }

    /** Where changes of committed offsets go: to the bucket when the broker tiers, nowhere otherwise. */
    private static Consumer<String> groupOffsetsChanged(LogManager logs) {
        return logs.remote().<Consumer<String>>map(remote -> remote.groupOffsets()::markChanged).orElse(group -> {
        });
    }

    /**
     * Topic-config defaults from the broker's settings, by Kafka's broker names
     * ({@code log.segment.bytes} → {@code segment.bytes}, ...).
     */
    static Map<String, String> topicDefaults(BrokerConfig config) {
        Map<String, String> defaults = new HashMap<>(TieringSettings.topicDefaults(config));
        defaults.putAll(TopicConfigDef.defaultsFromBroker(config.originals()));
        defaults.put(TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(config.logSegmentBytes()));
        defaults.put(TopicConfig.SEGMENT_MS_CONFIG, Long.toString(config.logRollMs()));
        defaults.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(config.logRetentionMs()));
        defaults.put(TopicConfig.RETENTION_BYTES_CONFIG, Long.toString(config.logRetentionBytes()));
        defaults.put(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, Long.toString(config.logFlushIntervalMessages()));
        defaults.put(TopicConfig.FLUSH_MS_CONFIG, Long.toString(config.logFlushIntervalMs()));
        defaults.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(config.messageMaxBytes()));
        defaults.put(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, Integer.toString(config.logIndexIntervalBytes()));
        return defaults;
    }

    /** The bound port of the Kafka listener. */
    public int port() {
        return server.actualPort();
    }

    /** The bound port of the HTTP server ({@code /metrics}, {@code /health}, {@code /ready}); empty when disabled. */
    public OptionalInt httpPort() {
        return monitoring.http().map(server -> OptionalInt.of(server.port())).orElse(OptionalInt.empty());
    }

    /** The advertised {@code host:port} clients should bootstrap from. */
    public String bootstrapServers() {
        BrokerIdentity current = identity.get();
        return current.host() + ":" + current.port();
    }

    /** The embedded S3 server's endpoint, when the broker runs one. */
    public java.util.Optional<java.net.URI> embeddedS3Endpoint() {
        return bucket.embeddedEndpoint();
    }

    public LogManager logs() {
        return logs;
    }

    public BrokerConfig config() {
        return config;
    }

    /**
     * Drops every client connection while the broker keeps running (the listener stays bound), as a
     * network failure would. Blocks until the sockets are closed. For tests of client retries.
     */
    public void closeClientConnections() {
        try {
            awaitResult(server.closeConnections());
        } catch (Exception e) {
            throw new IllegalStateException("Could not close the client connections: " + e, e);
        }
    }

    private static void await(io.vertx.core.Future<Void> closing, String what) {
        try {
            awaitResult(closing);
        } catch (Exception e) {
            LOGGER.warn("{} did not close cleanly: {}", what, e.toString());
        }
    }

    /**
     * The one place the broker blocks on a Vert.x future: start-up, shutdown and the test hook, called
     * from {@code main}, a shutdown hook or a test thread. Refuses to run on an event loop, where the
     * wait could never end (the loop would be waiting for itself).
     */
    private static <T> T awaitResult(io.vertx.core.Future<T> future) throws Exception {
        if (io.vertx.core.Context.isOnEventLoopThread()) {
            throw new IllegalStateException("StrataBroker start and close block; call them off the event loop");
        }
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** Stops the listener, then flushes and closes every log. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LOGGER.info("Stopping the broker");
        monitoring.readiness().closing();
        // While the listener still answers, so that clients hear NOT_LEADER_OR_FOLLOWER and move on at once
        cluster.ifPresent(MetadataCluster::close);
        await(server.close(), "The listener");
        // No produce comes in any more: what the write-ahead log holds is committed before the logs close
        localWal.ifPresent(SingleBrokerWal::close);
        // Before the logs close: no scrape may read a closed log manager.
        monitoring.close();
        await(vertx.close(), "Vert.x");
        logs.close();
        bucket.close();
        lock.close();
        LOGGER.info("Broker stopped");
    }
}
