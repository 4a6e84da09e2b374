package io.strata.broker.config;

import io.strata.objectstore.s3.S3Config;
import io.strata.objectstore.s3proxy.S3ProxyServer;
import io.strata.tiering.remote.RemoteConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The broker's remote-tier settings, read from the {@link BrokerConfig} (so each can come from the
 * properties file or from {@code STRATA_*} variables).
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code remote.log.storage.system.enable}</td><td>true</td><td>tier to a bucket at all (Kafka's name)</td></tr>
 *   <tr><td>{@code s3.endpoint}, {@code s3.region}, {@code s3.bucket}, {@code s3.prefix}, {@code s3.access.key},
 *       {@code s3.secret.key}, {@code s3.path.style}</td><td>see {@link S3Config#fromEnvironment}</td>
 *       <td>the bucket; without an endpoint the broker runs the embedded S3 server</td></tr>
 *   <tr><td>{@code s3.embedded.port}</td><td>9000</td><td>port of the embedded S3 server on 127.0.0.1 (0: any free port)</td></tr>
 *   <tr><td>{@code s3.part.size.bytes}</td><td>512 MiB</td><td>files up to this size go up in one PUT, larger ones as
 *       multipart uploads of parts this size</td></tr>
 *   <tr><td>{@code s3.max.attempts}</td><td>8</td><td>attempts per S3 request on retriable errors</td></tr>
 *   <tr><td>{@code remote.log.manager.task.interval.ms}</td><td>5000</td><td>how often partitions are checked for
 *       segments to copy or expire</td></tr>
 *   <tr><td>{@code remote.log.manager.copier.thread.pool.size}</td><td>2</td><td>partitions copied at once</td></tr>
 *   <tr><td>{@code remote.log.manager.copy.max.bytes.per.second}</td><td>unlimited</td><td>upload throughput cap</td></tr>
 *   <tr><td>{@code remote.log.manager.task.retry.backoff.ms} / {@code .max.ms}</td><td>500 / 30000</td><td>backoff
 *       after a failed copy</td></tr>
 *   <tr><td>{@code remote.fetch.chunk.bytes}</td><td>4 MiB</td><td>ranged GET size for remote reads</td></tr>
 *   <tr><td>{@code remote.fetch.cache.bytes}</td><td>256 MiB</td><td>memory for cached chunks</td></tr>
 *   <tr><td>{@code remote.fetch.readahead.chunks}</td><td>2</td><td>chunks loaded ahead of a sequential reader,
 *       across segment boundaries (0: none)</td></tr>
 *   <tr><td>{@code remote.fetch.max.wait.ms}</td><td>500</td><td>how long a read of the bucket may hold up a
 *       Fetch response; a slower partition is answered with no records and read again by the consumer</td></tr>
 *   <tr><td>{@code offsets.bucket.sync.interval.ms}</td><td>5000</td><td>how often groups whose committed offsets
 *       changed are written to the bucket (one PUT per group per interval at most)</td></tr>
 *   <tr><td>{@code log.local.retention.ms} / {@code log.local.retention.bytes}</td><td>1 hour / 1 GiB</td>
 *       <td>defaults of the topic configs {@code local.retention.*}: how long uploaded segments stay on local disk</td></tr>
 * </table>
 *
 * @param enabled      whether the broker tiers at all
 * @param s3           the S3 client settings; without an endpoint, the embedded server's are used instead
 * @param embeddedPort the embedded server's port
 * @param remote       the remote tier's settings
 * @param remoteFetchMaxWaitMs how long a remote read may hold up a Fetch response
 */
public record TieringSettings(boolean enabled, S3Config s3, int embeddedPort, RemoteConfig remote,
                              long remoteFetchMaxWaitMs) {

    public static final String ENABLE = "remote.log.storage.system.enable";
    public static final String EMBEDDED_PORT = "s3.embedded.port";
    public static final String PART_SIZE = "s3.part.size.bytes";
    public static final String MAX_ATTEMPTS = "s3.max.attempts";
    public static final String TASK_INTERVAL_MS = "remote.log.manager.task.interval.ms";
    public static final String COPIER_THREAD_POOL_SIZE = "remote.log.manager.copier.thread.pool.size";
    public static final String COPY_MAX_BYTES_PER_SECOND = "remote.log.manager.copy.max.bytes.per.second";
    public static final String TASK_RETRY_BACKOFF_MS = "remote.log.manager.task.retry.backoff.ms";
    public static final String TASK_RETRY_BACKOFF_MAX_MS = "remote.log.manager.task.retry.backoff.max.ms";
    public static final String FETCH_CHUNK_BYTES = "remote.fetch.chunk.bytes";
    public static final String FETCH_CACHE_BYTES = "remote.fetch.cache.bytes";
    public static final String FETCH_READ_AHEAD_CHUNKS = "remote.fetch.readahead.chunks";
    public static final String FETCH_MAX_WAIT_MS = "remote.fetch.max.wait.ms";
    public static final String OFFSETS_SYNC_INTERVAL_MS = "offsets.bucket.sync.interval.ms";
    public static final String LOCAL_RETENTION_MS = "log.local.retention.ms";
    public static final String LOCAL_RETENTION_BYTES = "log.local.retention.bytes";
    public static final int DEFAULT_MAX_ATTEMPTS = 8;
    public static final long DEFAULT_PART_SIZE = 512L * 1024 * 1024;
    public static final long DEFAULT_LOCAL_RETENTION_MS = TimeUnit.HOURS.toMillis(1);
    public static final long DEFAULT_LOCAL_RETENTION_BYTES = 1024L * 1024 * 1024;

    /** Every key this class reads, the S3 client's included. */
    public static Set<String> keys() {
        Set<String> keys = new TreeSet<>(List.of(ENABLE, EMBEDDED_PORT, PART_SIZE, MAX_ATTEMPTS, TASK_INTERVAL_MS,
                COPIER_THREAD_POOL_SIZE, COPY_MAX_BYTES_PER_SECOND, TASK_RETRY_BACKOFF_MS, TASK_RETRY_BACKOFF_MAX_MS,
                FETCH_CHUNK_BYTES, FETCH_CACHE_BYTES, FETCH_READ_AHEAD_CHUNKS, FETCH_MAX_WAIT_MS, OFFSETS_SYNC_INTERVAL_MS,
                LOCAL_RETENTION_MS, LOCAL_RETENTION_BYTES));
        S3Config.ENVIRONMENT_VARIABLES.forEach(variable -> keys.add(BrokerConfig.envToKey(variable)));
        keys.addAll(ClaimSettings.KEYS);
        return keys;
    }

    public static TieringSettings from(BrokerConfig config) {
        Map<String, String> s3Variables = new HashMap<>();
        config.originals().forEach((key, value) -> {
            if (key.startsWith("s3.")) {
                s3Variables.put(BrokerConfig.keyToEnv(key), value);
            }
        });
        S3Config s3;
        try {
            s3 = S3Config.fromEnvironment(s3Variables).toBuilder()
                    .partSize(config.getLong(PART_SIZE, DEFAULT_PART_SIZE))
                    .maxAttempts(config.getInt(MAX_ATTEMPTS, DEFAULT_MAX_ATTEMPTS))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid S3 settings: " + e.getMessage());
        }
        RemoteConfig remote;
        try {
            remote = new RemoteConfig(
                    config.getLong(TASK_INTERVAL_MS, 5_000),
                    config.getInt(COPIER_THREAD_POOL_SIZE, 2),
                    config.getLong(COPY_MAX_BYTES_PER_SECOND, Long.MAX_VALUE),
                    config.getLong(TASK_RETRY_BACKOFF_MS, 500),
                    config.getLong(TASK_RETRY_BACKOFF_MAX_MS, 30_000),
                    config.getInt(FETCH_CHUNK_BYTES, 4 * 1024 * 1024),
                    config.getLong(FETCH_CACHE_BYTES, 256L * 1024 * 1024),
                    config.getInt(FETCH_READ_AHEAD_CHUNKS, RemoteConfig.DEFAULT_READ_AHEAD_CHUNKS),
                    config.getLong(OFFSETS_SYNC_INTERVAL_MS, RemoteConfig.DEFAULT_OFFSETS_SYNC_INTERVAL_MS));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        int port = config.getInt(EMBEDDED_PORT, S3ProxyServer.DEFAULT_PORT);
        return new TieringSettings(config.getBoolean(ENABLE, true), s3, port, remote,
                config.getLong(FETCH_MAX_WAIT_MS, 500));
    }

    /** True when the broker starts its own S3 server (no endpoint configured). */
    public boolean embedded() {
        return s3.endpoint().isEmpty();
    }

    /** The topic-config defaults the remote tier brings, unless the broker's settings name them. */
    public static Map<String, String> topicDefaults(BrokerConfig config) {
        Map<String, String> defaults = new HashMap<>();
        defaults.put(TopicConfig.LOCAL_LOG_RETENTION_MS_CONFIG, Optional.ofNullable(
                config.originals().get(LOCAL_RETENTION_MS)).orElse(Long.toString(DEFAULT_LOCAL_RETENTION_MS)));
        defaults.put(TopicConfig.LOCAL_LOG_RETENTION_BYTES_CONFIG, Optional.ofNullable(
                config.originals().get(LOCAL_RETENTION_BYTES))
                .orElse(Long.toString(DEFAULT_LOCAL_RETENTION_BYTES)));
        return defaults;
    }
}
