package io.strata.broker.config;

import io.strata.metadata.CoordinatorSlots;
import io.strata.metadata.postgres.PostgresSettings;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Cluster mode: where the metadata lives and how this broker takes part.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key (environment variable)</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code metadata.store} ({@code STRATA_METADATA_STORE})</td><td>absent: single-broker mode, metadata in
 *       the embedded RocksDB</td><td>{@code postgresql://host:port/database}, libpq style: {@code user} and
 *       {@code password} may be query parameters or {@code user:password@} before the host; other query
 *       parameters ({@code sslmode=verify-full}, ...) go to the driver</td></tr>
 *   <tr><td>{@code metadata.store.user}, {@code metadata.store.password}</td><td>from the URL</td><td>replace the
 *       URL's, so that the password can come from a secret of its own</td></tr>
 *   <tr><td>{@code broker.rack}</td><td>none</td><td>the rack (or availability zone); leaders are spread over
 *       racks when racks are set</td></tr>
 *   <tr><td>{@code broker.session.timeout.ms}</td><td>9000 (Kafka's)</td><td>a broker whose heartbeats stand
 *       still this long is dead for the controller; a broker that could not renew for this minus one heartbeat
 *       interval stops serving</td></tr>
 *   <tr><td>{@code broker.heartbeat.interval.ms}</td><td>2000 (Kafka's)</td><td>how often a broker renews its
 *       registration; at most half the session timeout</td></tr>
 *   <tr><td>{@code offsets.topic.num.partitions}</td><td>50 (Kafka's)</td><td>coordinator slots: a group's
 *       coordinator is the leader of slot {@code |hash(group)| % n}; fixed once the cluster exists</td></tr>
 * </table>
 *
 * @param store             the PostgreSQL database, or empty for single-broker mode
 * @param rack              {@code broker.rack}
 * @param sessionTimeout    {@code broker.session.timeout.ms}
 * @param heartbeatInterval {@code broker.heartbeat.interval.ms}
 * @param coordinatorSlots  {@code offsets.topic.num.partitions}
 */
public record ClusterSettings(Optional<PostgresSettings> store, Optional<String> rack, Duration sessionTimeout,
                              Duration heartbeatInterval, int coordinatorSlots) {

    public static final String METADATA_STORE = "metadata.store";
    public static final String METADATA_STORE_USER = "metadata.store.user";
    public static final String METADATA_STORE_PASSWORD = "metadata.store.password";
    public static final String BROKER_RACK = "broker.rack";
    public static final String SESSION_TIMEOUT_MS = "broker.session.timeout.ms";
    public static final String HEARTBEAT_INTERVAL_MS = "broker.heartbeat.interval.ms";
    public static final String OFFSETS_TOPIC_NUM_PARTITIONS = "offsets.topic.num.partitions";
    public static final long DEFAULT_SESSION_TIMEOUT_MS = 9_000;
    public static final long DEFAULT_HEARTBEAT_INTERVAL_MS = 2_000;
    static final Set<String> KEYS = Set.of(METADATA_STORE, METADATA_STORE_USER, METADATA_STORE_PASSWORD, BROKER_RACK,
            SESSION_TIMEOUT_MS, HEARTBEAT_INTERVAL_MS, OFFSETS_TOPIC_NUM_PARTITIONS);

    /** Whether the broker runs in cluster mode (a metadata database is configured). */
    public boolean clustered() {
        return store.isPresent();
    }

    /** @throws ConfigException naming the key when a value is unusable (the password never appears in it) */
    public static ClusterSettings from(BrokerConfig config) {
        Optional<PostgresSettings> store = config.getString(METADATA_STORE).filter(url -> !url.isBlank()).map(url -> {
            try {
                return PostgresSettings.parse(url, config.getString(METADATA_STORE_USER),
                        config.getString(METADATA_STORE_PASSWORD));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(METADATA_STORE, PostgresSettings.redact(url), e.getMessage());
            }
        });
        Optional<String> rack = config.getString(BROKER_RACK).filter(value -> !value.isBlank());
        long session = config.getLong(SESSION_TIMEOUT_MS, DEFAULT_SESSION_TIMEOUT_MS);
        if (session < 10) {
            throw new ConfigException(SESSION_TIMEOUT_MS, Long.toString(session), "must be at least 10 ms");
        }
        long heartbeat = config.getLong(HEARTBEAT_INTERVAL_MS, Math.min(DEFAULT_HEARTBEAT_INTERVAL_MS, session / 2));
        if (heartbeat <= 0 || heartbeat * 2 > session) {
            throw new ConfigException(HEARTBEAT_INTERVAL_MS, Long.toString(heartbeat),
                    "must be positive and at most half of " + SESSION_TIMEOUT_MS + " (" + session + ")");
        }
        int slots = config.getInt(OFFSETS_TOPIC_NUM_PARTITIONS, CoordinatorSlots.DEFAULT_COUNT);
        if (slots < 1) {
            throw new ConfigException(OFFSETS_TOPIC_NUM_PARTITIONS, Integer.toString(slots), "must be at least 1");
        }
        return new ClusterSettings(store, rack, Duration.ofMillis(session), Duration.ofMillis(heartbeat), slots);
    }
}
