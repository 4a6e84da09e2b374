package io.strata.broker.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Broker settings, read once at start-up: an optional {@code .properties} file, then environment variables,
 * which win. Property {@code a.b.c} is set from the environment as {@code STRATA_A_B_C} (upper case, dots
 * become underscores); conversely every variable {@code STRATA_X_Y} becomes property {@code x.y}, so keys
 * containing {@code _} or {@code -} can only be set in the file.
 *
 * <p>Known keys use Kafka's names, meanings and defaults, with these deliberate differences:
 * <ul>
 *   <li>{@code listeners} defaults to {@code PLAINTEXT://127.0.0.1:9092}, takes a single listener (a comma
 *       list uses the first one and logs a warning), and also accepts plain {@code host:port};</li>
 *   <li>{@code advertised.listeners} defaults to {@code listeners}, with a wildcard host advertised as
 *       {@code 127.0.0.1};</li>
 *   <li>{@code log.dirs} defaults to {@code ./data} and takes a single directory (a comma list uses the
 *       first one and logs a warning);</li>
 *   <li>{@code node.id} defaults to 0;</li>
 *   <li>{@code log.segment.bytes} defaults to 512 MiB and {@code log.roll.ms} to 10 minutes, because sealed
 *       segments are what goes to the bucket (see {@link TieringSettings});</li>
 *   <li>{@code max.connections} defaults to 10000 (Kafka: {@code Integer.MAX_VALUE}) so that a broker
 *       cannot be exhausted by connection floods out of the box;</li>
 *   <li>{@code queued.max.request.bytes} (bytes of requests read but not yet answered, all connections
 *       together, before the broker stops reading from every connection) defaults to a quarter of the
 *       JVM's maximum heap (Kafka: -1, unbounded), each request counting as for
 *       {@code strata.connection.max.inflight.bytes};</li>
 *   <li>{@code fetch.max.bytes} (the most a Fetch response carries, whatever the request asks) has
 *       Kafka's default, 55 MiB, and so has {@code connections.max.idle.ms}, 10 minutes.</li>
 * </ul>
 * Strata-only keys: {@code strata.connection.max.inflight.bytes} (bytes of requests decoded but not yet
 * answered on one connection before the broker stops reading from it, default 100 MiB; each request counts
 * its frame plus {@value #REQUEST_OVERHEAD_BYTES} bytes for what it holds on the heap),
 * {@code strata.connection.max.inflight.requests} (requests decoded but not yet answered on one connection
 * before the broker stops reading from it, default {@value #DEFAULT_CONNECTION_MAX_INFLIGHT_REQUESTS}),
 * {@code strata.fetch.max.wait.ms} (the longest a Fetch waits for data whatever its {@code max_wait_ms},
 * default {@value #DEFAULT_FETCH_MAX_WAIT_MS}, the consumer's default {@code request.timeout.ms}),
 * {@code strata.max.partitions} (partitions the broker holds, all topics together; CreateTopics and
 * CreatePartitions beyond it are refused, default {@value #DEFAULT_MAX_PARTITIONS}),
 * {@code strata.worker.pool.size} (default 16), and the HTTP server for metrics and health checks:
 * {@code http.port} (default {@value #DEFAULT_HTTP_PORT}, clear of Kafka's 9092 and MinIO's 9000/9001;
 * {@code 0} picks a free port, {@code -1} disables the server) and {@code http.host} (default: the host of
 * {@code listeners}).
 *
 * <p>Every known key is parsed and validated in the constructor, so a bad value fails the start-up with a
 * {@link ConfigException} naming the key and the value. Unknown keys are kept and returned by
 * {@link #getString(String)} and the typed {@code get*} methods.
 *
 * <p>Immutable and therefore thread-safe.
 */
public final class BrokerConfig {
    private static final Logger LOGGER = LoggerFactory.getLogger(BrokerConfig.class);

    public static final String ENV_PREFIX = "STRATA_";

    public static final String LISTENERS = "listeners";
    public static final String ADVERTISED_LISTENERS = "advertised.listeners";
    public static final String LOG_DIRS = "log.dirs";
    public static final String LOG_DIR = "log.dir";
    public static final String NODE_ID = "node.id";
    public static final String AUTO_CREATE_TOPICS_ENABLE = "auto.create.topics.enable";
    public static final String NUM_PARTITIONS = "num.partitions";
    public static final String DEFAULT_REPLICATION_FACTOR = "default.replication.factor";
    public static final String MESSAGE_MAX_BYTES = "message.max.bytes";
    public static final String SOCKET_REQUEST_MAX_BYTES = "socket.request.max.bytes";
    public static final String LOG_SEGMENT_BYTES = "log.segment.bytes";
    public static final String LOG_ROLL_MS = "log.roll.ms";
    public static final String LOG_ROLL_HOURS = "log.roll.hours";
    public static final String LOG_RETENTION_MS = "log.retention.ms";
    public static final String LOG_RETENTION_MINUTES = "log.retention.minutes";
    public static final String LOG_RETENTION_HOURS = "log.retention.hours";
    public static final String LOG_RETENTION_BYTES = "log.retention.bytes";
    public static final String LOG_FLUSH_INTERVAL_MESSAGES = "log.flush.interval.messages";
    public static final String LOG_FLUSH_INTERVAL_MS = "log.flush.interval.ms";
    public static final String LOG_INDEX_INTERVAL_BYTES = "log.index.interval.bytes";
    public static final String CONNECTIONS_MAX_IDLE_MS = "connections.max.idle.ms";
    public static final String MAX_CONNECTIONS = "max.connections";
    public static final String NUM_NETWORK_THREADS = "num.network.threads";
    public static final String CONNECTION_MAX_INFLIGHT_BYTES = "strata.connection.max.inflight.bytes";
    public static final String CONNECTION_MAX_INFLIGHT_REQUESTS = "strata.connection.max.inflight.requests";
    public static final String QUEUED_MAX_REQUEST_BYTES = "queued.max.request.bytes";
    public static final String FETCH_MAX_BYTES = "fetch.max.bytes";
    public static final String FETCH_MAX_WAIT_MS = "strata.fetch.max.wait.ms";
    public static final String MAX_PARTITIONS = "strata.max.partitions";
    public static final String WORKER_POOL_SIZE = "strata.worker.pool.size";
    /** Port of the HTTP server for {@code /metrics}, {@code /health} and {@code /ready} (default 9464). */
    public static final String HTTP_PORT = "http.port";
    /** Host the HTTP server binds to (default: the Kafka listener's host). */
    public static final String HTTP_HOST = "http.host";
    public static final String LOG_RETENTION_CHECK_INTERVAL_MS = "log.retention.check.interval.ms";
    public static final String LOG_FLUSH_SCHEDULER_INTERVAL_MS = "log.flush.scheduler.interval.ms";
    public static final String LOG_ROLL_CHECK_INTERVAL_MS = "strata.log.roll.check.interval.ms";
    public static final String GROUP_INITIAL_REBALANCE_DELAY_MS = "group.initial.rebalance.delay.ms";
    public static final String GROUP_MIN_SESSION_TIMEOUT_MS = "group.min.session.timeout.ms";
    public static final String GROUP_MAX_SESSION_TIMEOUT_MS = "group.max.session.timeout.ms";
    public static final String GROUP_MAX_SIZE = "group.max.size";
    public static final String OFFSETS_RETENTION_MINUTES = "offsets.retention.minutes";
    public static final String OFFSETS_RETENTION_CHECK_INTERVAL_MS = "offsets.retention.check.interval.ms";
    public static final String OFFSET_METADATA_MAX_BYTES = "offset.metadata.max.bytes";

    /** The keys above: the ones this class parses and the ones the broker reads through the typed getters. */
    private static final Set<String> KEYS = Set.of(LISTENERS, ADVERTISED_LISTENERS, LOG_DIRS, LOG_DIR, NODE_ID,
            AUTO_CREATE_TOPICS_ENABLE, NUM_PARTITIONS, DEFAULT_REPLICATION_FACTOR, MESSAGE_MAX_BYTES,
            SOCKET_REQUEST_MAX_BYTES, LOG_SEGMENT_BYTES, LOG_ROLL_MS, LOG_ROLL_HOURS, LOG_RETENTION_MS,
            LOG_RETENTION_MINUTES, LOG_RETENTION_HOURS, LOG_RETENTION_BYTES, LOG_FLUSH_INTERVAL_MESSAGES,
            LOG_FLUSH_INTERVAL_MS, LOG_INDEX_INTERVAL_BYTES, CONNECTIONS_MAX_IDLE_MS, MAX_CONNECTIONS,
            NUM_NETWORK_THREADS, CONNECTION_MAX_INFLIGHT_BYTES, CONNECTION_MAX_INFLIGHT_REQUESTS,
            QUEUED_MAX_REQUEST_BYTES, FETCH_MAX_BYTES, FETCH_MAX_WAIT_MS, MAX_PARTITIONS, WORKER_POOL_SIZE, HTTP_PORT, HTTP_HOST,
            LOG_RETENTION_CHECK_INTERVAL_MS, LOG_FLUSH_SCHEDULER_INTERVAL_MS, LOG_ROLL_CHECK_INTERVAL_MS,
            GROUP_INITIAL_REBALANCE_DELAY_MS, GROUP_MIN_SESSION_TIMEOUT_MS, GROUP_MAX_SESSION_TIMEOUT_MS,
            GROUP_MAX_SIZE, OFFSETS_RETENTION_MINUTES, OFFSETS_RETENTION_CHECK_INTERVAL_MS, OFFSET_METADATA_MAX_BYTES);

    public static final String DEFAULT_LISTENERS = "PLAINTEXT://127.0.0.1:9092";
    public static final String DEFAULT_LOG_DIRS = "./data";
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    /**
     * What one request decoded but not yet answered is taken to hold besides its frame (its decoded message,
     * response slot and encoded response; about 400 bytes were measured for an ApiVersions request).
     */
    public static final int REQUEST_OVERHEAD_BYTES = 1024;
    public static final int DEFAULT_CONNECTION_MAX_INFLIGHT_REQUESTS = 100;
    /** Kafka's broker default: 55 MiB. */
    public static final int DEFAULT_FETCH_MAX_BYTES = 55 * 1024 * 1024;
    /** 30 s: the consumer's default {@code request.timeout.ms}, so a client always hears back before it gives up. */
    public static final long DEFAULT_FETCH_MAX_WAIT_MS = 30_000L;
    /** Each partition holds at least one open segment file; well below the usual 20,000 open files limit. */
    public static final int DEFAULT_MAX_PARTITIONS = 10_000;
    /** Prometheus's customary range for exporters; clashes neither with Kafka (9092) nor MinIO (9000/9001). */
    public static final int DEFAULT_HTTP_PORT = 9464;
    /** {@code http.port} value that disables the HTTP server. */
    public static final int HTTP_DISABLED = -1;
    /** 512 MiB (Kafka: 1 GiB): a sealed segment goes to the bucket in one PUT; see the README's tiering defaults. */
    public static final int DEFAULT_LOG_SEGMENT_BYTES = 512 * 1024 * 1024;
    /** 10 minutes (Kafka: 7 days): bounds how long a quiet partition's data lives only on local disk. */
    public static final long DEFAULT_LOG_ROLL_MS = TimeUnit.MINUTES.toMillis(10);

    private static final Set<String> UNSUPPORTED_SECURITY = Set.of("SSL", "SASL_PLAINTEXT", "SASL_SSL");
    private static final String ADVERTISED_WILDCARD_HOST = "127.0.0.1";

    private final Map<String, String> values;

    private final Endpoint listener;
    private final Endpoint advertisedListener;
    private final Path logDir;
    private final int nodeId;
    private final boolean autoCreateTopicsEnable;
    private final int numPartitions;
    private final short defaultReplicationFactor;
    private final int messageMaxBytes;
    private final int socketRequestMaxBytes;
    private final int logSegmentBytes;
    private final long logRollMs;
    private final long logRetentionMs;
    private final long logRetentionBytes;
    private final long logFlushIntervalMessages;
    private final long logFlushIntervalMs;
    private final int logIndexIntervalBytes;
    private final long connectionsMaxIdleMs;
    private final int maxConnections;
    private final int numNetworkThreads;
    private final long connectionMaxInflightBytes;
    private final int connectionMaxInflightRequests;
    private final long queuedMaxRequestBytes;
    private final int fetchMaxBytes;
    private final long fetchMaxWaitMs;
    private final int maxPartitions;
    private final int workerPoolSize;
    private final int httpPort;
    private final String httpHost;

    /**
     * @param fileProperties the properties read from the file (empty when there is none)
     * @param env the environment, normally {@link System#getenv()}; entries starting with {@code STRATA_}
     *     override the file
     * @throws ConfigException when a known key has an invalid value
     */
    public BrokerConfig(Properties fileProperties, Map<String, String> env) {
        Map<String, String> merged = new TreeMap<>();
        for (String name : fileProperties.stringPropertyNames()) {
            merged.put(name.trim(), fileProperties.getProperty(name).trim());
        }
        env.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
                merged.put(envToKey(name), value.trim());
            }
        });
        this.values = Map.copyOf(merged);

        this.listener = singleListener(LISTENERS, getString(LISTENERS).orElse(DEFAULT_LISTENERS));
        Endpoint advertised = getString(ADVERTISED_LISTENERS)
                .map(text -> singleListener(ADVERTISED_LISTENERS, text))
                .orElse(listener);
        this.advertisedListener = advertised.isWildcard()
                ? new Endpoint(advertised.listenerName(), ADVERTISED_WILDCARD_HOST, advertised.port())
                : advertised;
        this.logDir = singleLogDir();
        this.nodeId = getInt(NODE_ID, 0);
        this.autoCreateTopicsEnable = getBoolean(AUTO_CREATE_TOPICS_ENABLE, true);
        this.numPartitions = atLeast(NUM_PARTITIONS, getInt(NUM_PARTITIONS, 1), 1);
        this.defaultReplicationFactor =
                (short) between(DEFAULT_REPLICATION_FACTOR, getInt(DEFAULT_REPLICATION_FACTOR, 1), 1, Short.MAX_VALUE);
        this.messageMaxBytes = atLeast(MESSAGE_MAX_BYTES, getInt(MESSAGE_MAX_BYTES, 1_048_588), 0);
        this.socketRequestMaxBytes = atLeast(SOCKET_REQUEST_MAX_BYTES, getInt(SOCKET_REQUEST_MAX_BYTES, 104_857_600), 1);
        this.logSegmentBytes = atLeast(LOG_SEGMENT_BYTES, getInt(LOG_SEGMENT_BYTES, DEFAULT_LOG_SEGMENT_BYTES), 14);
        long defaultRollMs = getString(LOG_ROLL_HOURS).isPresent()
                ? TimeUnit.HOURS.toMillis(atLeast(LOG_ROLL_HOURS, getInt(LOG_ROLL_HOURS, 168), 1))
                : DEFAULT_LOG_ROLL_MS;
        this.logRollMs = atLeast(LOG_ROLL_MS, getLong(LOG_ROLL_MS, defaultRollMs), 1);
        this.logRetentionMs = retentionMs();
        this.logRetentionBytes = getLong(LOG_RETENTION_BYTES, -1L);
        this.logFlushIntervalMessages =
                atLeast(LOG_FLUSH_INTERVAL_MESSAGES, getLong(LOG_FLUSH_INTERVAL_MESSAGES, Long.MAX_VALUE), 1);
        this.logFlushIntervalMs = atLeast(LOG_FLUSH_INTERVAL_MS, getLong(LOG_FLUSH_INTERVAL_MS, Long.MAX_VALUE), 0);
        this.logIndexIntervalBytes = atLeast(LOG_INDEX_INTERVAL_BYTES, getInt(LOG_INDEX_INTERVAL_BYTES, 4096), 0);
        this.connectionsMaxIdleMs = getLong(CONNECTIONS_MAX_IDLE_MS, 600_000L);
        this.maxConnections = atLeast(MAX_CONNECTIONS, getInt(MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS), 0);
        this.numNetworkThreads = atLeast(NUM_NETWORK_THREADS, getInt(NUM_NETWORK_THREADS, 3), 1);
        this.connectionMaxInflightBytes =
                atLeast(CONNECTION_MAX_INFLIGHT_BYTES, getLong(CONNECTION_MAX_INFLIGHT_BYTES, 104_857_600L), 1);
        this.connectionMaxInflightRequests = atLeast(CONNECTION_MAX_INFLIGHT_REQUESTS,
                getInt(CONNECTION_MAX_INFLIGHT_REQUESTS, DEFAULT_CONNECTION_MAX_INFLIGHT_REQUESTS), 1);
        this.queuedMaxRequestBytes = atLeast(QUEUED_MAX_REQUEST_BYTES,
                getLong(QUEUED_MAX_REQUEST_BYTES, Runtime.getRuntime().maxMemory() / 4), 1);
        this.fetchMaxBytes = atLeast(FETCH_MAX_BYTES, getInt(FETCH_MAX_BYTES, DEFAULT_FETCH_MAX_BYTES), 1024);
        this.fetchMaxWaitMs = atLeast(FETCH_MAX_WAIT_MS, getLong(FETCH_MAX_WAIT_MS, DEFAULT_FETCH_MAX_WAIT_MS), 0);
        this.maxPartitions = atLeast(MAX_PARTITIONS, getInt(MAX_PARTITIONS, DEFAULT_MAX_PARTITIONS), 1);
        this.workerPoolSize = atLeast(WORKER_POOL_SIZE, getInt(WORKER_POOL_SIZE, 16), 1);
        this.httpPort = between(HTTP_PORT, getInt(HTTP_PORT, DEFAULT_HTTP_PORT), HTTP_DISABLED, 65_535);
        this.httpHost = getString(HTTP_HOST).orElse(listener.host());
        if (httpHost.isEmpty()) {
            throw new ConfigException(HTTP_HOST, httpHost, "expected a host name or address");
        }
    }

    /**
     * Reads {@code file} when present, then applies {@code env}.
     *
     * @throws ConfigException when the file cannot be read or a value is invalid
     */
    public static BrokerConfig load(Optional<Path> file, Map<String, String> env) {
        Properties properties = new Properties();
        if (file.isPresent()) {
            try (Reader reader = Files.newBufferedReader(file.get(), StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException e) {
                throw new ConfigException("Cannot read configuration file " + file.get() + ": " + e);
            }
            LOGGER.info("Loaded configuration file {}", file.get());
        }
        return new BrokerConfig(properties, env);
    }

    /** Settings from a map only (no environment), for tests and embedding. */
    public static BrokerConfig of(Map<String, String> properties) {
        Properties props = new Properties();
        props.putAll(properties);
        return new BrokerConfig(props, Map.of());
    }

    /**
     * Every setting the broker reads: this class's keys and the remote tier's ({@link TieringSettings#keys()},
     * the S3 client's included). A {@code STRATA_*} variable whose {@linkplain #envToKey key} is not among them
     * is kept but read by nothing.
     */
    public static Set<String> knownKeys() {
        Set<String> known = new TreeSet<>(KEYS);
        known.addAll(TieringSettings.keys());
        known.addAll(ClusterSettings.KEYS);
        known.addAll(WalConfig.KEYS);
        return known;
    }

    /** Maps {@code STRATA_A_B_C} to {@code a.b.c}. */
    public static String envToKey(String envName) {
        return envName.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** Maps {@code a.b.c} to {@code STRATA_A_B_C}. */
    public static String keyToEnv(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    // ---- generic access, also for keys this class does not know -------------------------------------------

    /** The effective raw value of any key, known or not. */
    public Optional<String> getString(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public int getInt(String key, int defaultValue) {
        String raw = values.get(key);
        if (raw == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new ConfigException(key, raw, "expected an integer (32-bit)");
        }
    }

    public long getLong(String key, long defaultValue) {
        String raw = values.get(key);
        if (raw == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw new ConfigException(key, raw, "expected an integer (64-bit)");
        }
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        String raw = values.get(key);
        if (raw == null) {
            return defaultValue;
        }
        if ("true".equalsIgnoreCase(raw)) {
            return true;
        }
        if ("false".equalsIgnoreCase(raw)) {
            return false;
        }
        throw new ConfigException(key, raw, "expected true or false");
    }

    /** Every effective key and raw value (file and environment merged), sorted by key. */
    public Map<String, String> originals() {
        return new TreeMap<>(values);
    }

    /**
     * The effective value of every setting this class knows, defaults included, by Kafka's names (what
     * DescribeConfigs reports for the broker, before the raw {@link #originals()}).
     */
    public Map<String, String> knownSettings() {
        Map<String, String> known = new TreeMap<>();
        known.put(LISTENERS, listener.listenerName() + "://" + listener.host() + ":" + listener.port());
        known.put(ADVERTISED_LISTENERS, advertisedListener.listenerName() + "://" + advertisedListener.host() + ":"
                + advertisedListener.port());
        known.put(LOG_DIRS, logDir.toString());
        known.put(NODE_ID, Integer.toString(nodeId));
        known.put(AUTO_CREATE_TOPICS_ENABLE, Boolean.toString(autoCreateTopicsEnable));
        known.put(NUM_PARTITIONS, Integer.toString(numPartitions));
        known.put(DEFAULT_REPLICATION_FACTOR, Short.toString(defaultReplicationFactor));
        known.put(MESSAGE_MAX_BYTES, Integer.toString(messageMaxBytes));
        known.put(SOCKET_REQUEST_MAX_BYTES, Integer.toString(socketRequestMaxBytes));
        known.put(LOG_SEGMENT_BYTES, Integer.toString(logSegmentBytes));
        known.put(LOG_ROLL_MS, Long.toString(logRollMs));
        known.put(LOG_RETENTION_MS, Long.toString(logRetentionMs));
        known.put(LOG_RETENTION_BYTES, Long.toString(logRetentionBytes));
        known.put(LOG_FLUSH_INTERVAL_MESSAGES, Long.toString(logFlushIntervalMessages));
        known.put(LOG_FLUSH_INTERVAL_MS, Long.toString(logFlushIntervalMs));
        known.put(LOG_INDEX_INTERVAL_BYTES, Integer.toString(logIndexIntervalBytes));
        known.put(CONNECTIONS_MAX_IDLE_MS, Long.toString(connectionsMaxIdleMs));
        known.put(MAX_CONNECTIONS, Integer.toString(maxConnections));
        known.put(NUM_NETWORK_THREADS, Integer.toString(numNetworkThreads));
        known.put(CONNECTION_MAX_INFLIGHT_BYTES, Long.toString(connectionMaxInflightBytes));
        known.put(CONNECTION_MAX_INFLIGHT_REQUESTS, Integer.toString(connectionMaxInflightRequests));
        known.put(QUEUED_MAX_REQUEST_BYTES, Long.toString(queuedMaxRequestBytes));
        known.put(FETCH_MAX_BYTES, Integer.toString(fetchMaxBytes));
        known.put(FETCH_MAX_WAIT_MS, Long.toString(fetchMaxWaitMs));
        known.put(MAX_PARTITIONS, Integer.toString(maxPartitions));
        known.put(WORKER_POOL_SIZE, Integer.toString(workerPoolSize));
        known.put(HTTP_PORT, Integer.toString(httpPort));
        known.put(HTTP_HOST, httpHost);
        return known;
    }

    // ---- typed getters ---------------------------------------------------------------------------------------

    /** {@code listeners}: where the broker binds. */
    public Endpoint listener() {
        return listener;
    }

    /** {@code advertised.listeners}: what Metadata tells clients; never a wildcard host. */
    public Endpoint advertisedListener() {
        return advertisedListener;
    }

    /** {@code log.dirs} (or {@code log.dir}): the single data directory. */
    public Path logDir() {
        return logDir;
    }

    public int nodeId() {
        return nodeId;
    }

    public boolean autoCreateTopicsEnable() {
        return autoCreateTopicsEnable;
    }

    public int numPartitions() {
        return numPartitions;
    }

    public short defaultReplicationFactor() {
        return defaultReplicationFactor;
    }

    public int messageMaxBytes() {
        return messageMaxBytes;
    }

    /** {@code socket.request.max.bytes}: the largest request frame accepted, checked before allocation. */
    public int socketRequestMaxBytes() {
        return socketRequestMaxBytes;
    }

    public int logSegmentBytes() {
        return logSegmentBytes;
    }

    /** {@code log.roll.ms}, else {@code log.roll.hours} in milliseconds. */
    public long logRollMs() {
        return logRollMs;
    }

    /** {@code log.retention.ms}, else {@code .minutes}, else {@code .hours}; -1 means unlimited. */
    public long logRetentionMs() {
        return logRetentionMs;
    }

    /** {@code log.retention.bytes}; -1 means unlimited. */
    public long logRetentionBytes() {
        return logRetentionBytes;
    }

    public long logFlushIntervalMessages() {
        return logFlushIntervalMessages;
    }

    /** {@code log.flush.interval.ms}; {@code Long.MAX_VALUE} when unset (flush left to the OS). */
    public long logFlushIntervalMs() {
        return logFlushIntervalMs;
    }

    public int logIndexIntervalBytes() {
        return logIndexIntervalBytes;
    }

    /** {@code connections.max.idle.ms}; a non-positive value disables the idle timeout. */
    public long connectionsMaxIdleMs() {
        return connectionsMaxIdleMs;
    }

    public int maxConnections() {
        return maxConnections;
    }

    /**
     * {@code num.network.threads} (Kafka's default 3): how many Vert.x event loops accept and serve
     * connections; each connection stays on one event loop for its whole life.
     */
    public int numNetworkThreads() {
        return numNetworkThreads;
    }

    /** {@code strata.connection.max.inflight.bytes}: see the class comment. */
    public long connectionMaxInflightBytes() {
        return connectionMaxInflightBytes;
    }

    /** {@code strata.connection.max.inflight.requests}: unanswered requests one connection may have. */
    public int connectionMaxInflightRequests() {
        return connectionMaxInflightRequests;
    }

    /** {@code queued.max.request.bytes}: bytes of unanswered requests, all connections together. */
    public long queuedMaxRequestBytes() {
        return queuedMaxRequestBytes;
    }

    /** {@code fetch.max.bytes}: the most one Fetch response carries. */
    public int fetchMaxBytes() {
        return fetchMaxBytes;
    }

    /** {@code strata.fetch.max.wait.ms}: the longest a Fetch waits for data, whatever it asks. */
    public long fetchMaxWaitMs() {
        return fetchMaxWaitMs;
    }

    /** {@code strata.max.partitions}: partitions the broker may hold, all topics together. */
    public int maxPartitions() {
        return maxPartitions;
    }

    public int workerPoolSize() {
        return workerPoolSize;
    }

    /**
     * {@code http.port}: the port of the HTTP server for {@code /metrics}, {@code /health} and {@code /ready};
     * {@code 0} picks a free port, empty when the server is disabled ({@code -1}).
     */
    public OptionalInt httpPort() {
        return httpPort == HTTP_DISABLED ? OptionalInt.empty() : OptionalInt.of(httpPort);
    }

    /** {@code http.host}: where the HTTP server binds; by default the host of {@code listeners}. */
    public String httpHost() {
        return httpHost;
    }

    /** Effective values of the known keys, then any other key; values of secret-looking keys are masked. */
    @Override
    public String toString() {
        Map<String, Object> effective = new TreeMap<>();
        effective.put(LISTENERS, listener);
        effective.put(ADVERTISED_LISTENERS, advertisedListener);
        effective.put(LOG_DIRS, logDir);
        effective.put(NODE_ID, nodeId);
        effective.put(AUTO_CREATE_TOPICS_ENABLE, autoCreateTopicsEnable);
        effective.put(NUM_PARTITIONS, numPartitions);
        effective.put(DEFAULT_REPLICATION_FACTOR, defaultReplicationFactor);
        effective.put(MESSAGE_MAX_BYTES, messageMaxBytes);
        effective.put(SOCKET_REQUEST_MAX_BYTES, socketRequestMaxBytes);
        effective.put(LOG_SEGMENT_BYTES, logSegmentBytes);
        effective.put(LOG_ROLL_MS, logRollMs);
        effective.put(LOG_RETENTION_MS, logRetentionMs);
        effective.put(LOG_RETENTION_BYTES, logRetentionBytes);
        effective.put(LOG_FLUSH_INTERVAL_MESSAGES, logFlushIntervalMessages);
        effective.put(LOG_FLUSH_INTERVAL_MS, logFlushIntervalMs);
        effective.put(LOG_INDEX_INTERVAL_BYTES, logIndexIntervalBytes);
        effective.put(CONNECTIONS_MAX_IDLE_MS, connectionsMaxIdleMs);
        effective.put(MAX_CONNECTIONS, maxConnections);
        effective.put(NUM_NETWORK_THREADS, numNetworkThreads);
        effective.put(CONNECTION_MAX_INFLIGHT_BYTES, connectionMaxInflightBytes);
        effective.put(CONNECTION_MAX_INFLIGHT_REQUESTS, connectionMaxInflightRequests);
        effective.put(QUEUED_MAX_REQUEST_BYTES, queuedMaxRequestBytes);
        effective.put(FETCH_MAX_BYTES, fetchMaxBytes);
        effective.put(FETCH_MAX_WAIT_MS, fetchMaxWaitMs);
        effective.put(MAX_PARTITIONS, maxPartitions);
        effective.put(WORKER_POOL_SIZE, workerPoolSize);
        effective.put(HTTP_PORT, httpPort);
        effective.put(HTTP_HOST, httpHost);
        StringBuilder text = new StringBuilder("BrokerConfig{");
        effective.forEach((key, value) -> text.append("\n  ").append(key).append('=').append(value));
        values.forEach((key, value) -> {
            if (!effective.containsKey(key)) {
                text.append("\n  ").append(key).append('=').append(isSecret(key) ? "[hidden]" : value);
            }
        });
        return text.append("\n}").toString();
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static boolean isSecret(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        return lower.contains("password") || lower.contains("secret") || lower.contains("token");
    }

    private Endpoint singleListener(String key, String text) {
        String[] parts = text.split(",");
        if (parts.length > 1) {
            LOGGER.warn("{} lists {} listeners; Strata serves one and uses the first: {}", key, parts.length, parts[0].trim());
        }
        Endpoint endpoint = Endpoint.parse(key, parts[0]);
        if (UNSUPPORTED_SECURITY.contains(endpoint.listenerName())) {
            throw new ConfigException(key, text, "only PLAINTEXT listeners are supported");
        }
        return endpoint;
    }

    private Path singleLogDir() {
        String key = values.containsKey(LOG_DIRS) || !values.containsKey(LOG_DIR) ? LOG_DIRS : LOG_DIR;
        String text = getString(key).orElse(DEFAULT_LOG_DIRS);
        String[] parts = text.split(",");
        String first = parts[0].trim();
        if (first.isEmpty()) {
            throw new ConfigException(key, text, "expected a directory");
        }
        if (parts.length > 1) {
            LOGGER.warn("{} lists {} directories; Strata uses one, the first: {}", key, parts.length, first);
        }
        try {
            return Paths.get(first);
        } catch (RuntimeException e) {
            throw new ConfigException(key, text, "not a valid path (" + e.getMessage() + ")");
        }
    }

    private long retentionMs() {
        long millis;
        if (values.containsKey(LOG_RETENTION_MS)) {
            millis = getLong(LOG_RETENTION_MS, -1L);
        } else if (values.containsKey(LOG_RETENTION_MINUTES)) {
            millis = TimeUnit.MINUTES.toMillis(getInt(LOG_RETENTION_MINUTES, 0));
        } else {
            millis = TimeUnit.HOURS.toMillis(getInt(LOG_RETENTION_HOURS, 168));
        }
        return millis < 0 ? -1L : millis;
    }

    private int atLeast(String key, int value, int min) {
        if (value < min) {
            throw new ConfigException(key, String.valueOf(value), "must be at least " + min);
        }
        return value;
    }

    private long atLeast(String key, long value, long min) {
        if (value < min) {
            throw new ConfigException(key, String.valueOf(value), "must be at least " + min);
        }
        return value;
    }

    private int between(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new ConfigException(key, String.valueOf(value), "must be between " + min + " and " + max);
        }
        return value;
    }
}
