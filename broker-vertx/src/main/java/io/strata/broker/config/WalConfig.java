package io.strata.broker.config;

import io.strata.tiering.wal.WalSettings;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * The write-ahead log in the bucket: with it, acks=all is answered once the batches are in a WAL object and
 * committed (in the metadata database in cluster mode; in single-broker mode the bucket's gap-free chain of objects is
 * the commit record), and a dead broker's partitions move, or a broker comes back, without its disk.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code wal.enable}</td><td>true in cluster mode</td><td>false: acks=all is answered after the local
 *       append, and a dead leader's partitions wait for it (Kafka's replication factor 1, unclean election off);
 *       false by default in single-broker mode, where true needs a bucket on another machine</td></tr>
 *   <tr><td>{@code wal.linger.ms}</td><td>5</td><td>how long an object waits for more appends after its
 *       first</td></tr>
 *   <tr><td>{@code wal.batch.bytes}</td><td>4194304</td><td>an object is written once it holds this much</td></tr>
 *   <tr><td>{@code wal.max.in.flight}</td><td>8</td><td>objects being written or committed at once</td></tr>
 *   <tr><td>{@code wal.buffer.bytes}</td><td>67108864</td><td>appends are refused (NOT_ENOUGH_REPLICAS,
 *       retriable) while this much waits to be committed</td></tr>
 *   <tr><td>{@code wal.tail.max.bytes}</td><td>67108864</td><td>a partition's active segment rolls (and is
 *       uploaded, releasing its WAL ranges) once it holds this much: what a new leader reads from the WAL at
 *       most</td></tr>
 *   <tr><td>{@code wal.tail.max.ms}</td><td>300000</td><td>... or once it is this old: how long a slow partition
 *       keeps WAL objects from being collected</td></tr>
 * </table>
 */
public final class WalConfig {

    public static final String ENABLE = "wal.enable";
    public static final String LINGER_MS = "wal.linger.ms";
    public static final String BATCH_BYTES = "wal.batch.bytes";
    public static final String MAX_IN_FLIGHT = "wal.max.in.flight";
    public static final String BUFFER_BYTES = "wal.buffer.bytes";
    public static final String TAIL_MAX_BYTES = "wal.tail.max.bytes";
    public static final String TAIL_MAX_MS = "wal.tail.max.ms";
    static final Set<String> KEYS = Set.of(ENABLE, LINGER_MS, BATCH_BYTES, MAX_IN_FLIGHT, BUFFER_BYTES,
            TAIL_MAX_BYTES, TAIL_MAX_MS);

    private WalConfig() {
    }

    /**
     * The WAL's settings when it is on, else empty.
     *
     * @throws ConfigException naming the key when a value is unusable
     */
    public static Optional<WalSettings> from(BrokerConfig config, boolean clustered) {
        boolean enabled = config.getBoolean(ENABLE, clustered);
        if (!enabled) {
            return Optional.empty();
        }
        long linger = config.getLong(LINGER_MS, 5);
        if (linger < 0 || linger > 10_000) {
            throw new ConfigException(LINGER_MS, Long.toString(linger), "must be 0 to 10000");
        }
        int batchBytes = config.getInt(BATCH_BYTES, 4 * 1024 * 1024);
        if (batchBytes < 1024 || batchBytes > 256 * 1024 * 1024) {
            throw new ConfigException(BATCH_BYTES, Integer.toString(batchBytes), "must be 1 KiB to 256 MiB");
        }
        int inFlight = config.getInt(MAX_IN_FLIGHT, 8);
        if (inFlight < 1 || inFlight > 64) {
            throw new ConfigException(MAX_IN_FLIGHT, Integer.toString(inFlight), "must be 1 to 64");
        }
        long buffer = config.getLong(BUFFER_BYTES, 64L * 1024 * 1024);
        if (buffer < batchBytes) {
            throw new ConfigException(BUFFER_BYTES, Long.toString(buffer), "must be at least " + BATCH_BYTES
                    + " (" + batchBytes + ")");
        }
        long tailBytes = config.getLong(TAIL_MAX_BYTES, WalSettings.DEFAULT_TAIL_MAX_BYTES);
        if (tailBytes < 1024) {
            throw new ConfigException(TAIL_MAX_BYTES, Long.toString(tailBytes), "must be at least 1024");
        }
        long tailMs = config.getLong(TAIL_MAX_MS, WalSettings.DEFAULT_TAIL_MAX.toMillis());
        if (tailMs < 1000) {
            throw new ConfigException(TAIL_MAX_MS, Long.toString(tailMs), "must be at least 1000");
        }
        return Optional.of(new WalSettings(Duration.ofMillis(linger), batchBytes, inFlight, buffer, tailBytes,
                Duration.ofMillis(tailMs)));
    }
}
