package io.strata.metadata.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.strata.metadata.BrokerRegistration;
import io.strata.metadata.BrokerState;
import io.strata.metadata.CommittedOffset;
import io.strata.metadata.ControllerState;
import io.strata.metadata.EpochStart;
import io.strata.metadata.MetadataException;
import io.strata.metadata.MetadataStore;
import io.strata.metadata.NodeIdInUseException;
import io.strata.metadata.PartitionLeadership;
import io.strata.metadata.RestoredMetadata;
import io.strata.metadata.StoredGroup;
import io.strata.metadata.TopicDefinition;
import io.strata.metadata.TopicPartitionId;
import io.strata.metadata.WalCatalog;
import io.strata.metadata.WalCommitOutcome;
import io.strata.metadata.WalObjectCommit;
import io.strata.metadata.WalRange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link MetadataStore} of a cluster: a PostgreSQL 15+ database (or a PostgreSQL-compatible distributed
 * engine), reached through a HikariCP pool of JDBC connections. The schema is created and migrated at start
 * by Flyway from {@code db/strata/V*.sql}; the broker's protocol itself takes no locks beyond row locks, and
 * every decision is a conditional statement whose row count is checked (CLUSTER.md rule 12).
 *
 * <p>Tables (the migration that added a table or column in brackets):
 * <table>
 *   <tr><th>table</th><th>one row per</th><th>written by</th></tr>
 *   <tr><td>{@code brokers} (V1)</td><td>registered node id: incarnation, endpoints, rack, heartbeat count,
 *       registration and renewal time (database clock); (V4) {@code draining_incarnation}: the incarnation that
 *       began a planned shutdown ({@code drain}; NULL none); the broker is draining while it equals
 *       {@code incarnation}, so a new incarnation starts not draining without anyone clearing it</td>
 *       <td>the broker itself</td></tr>
 *   <tr><td>{@code controller_lease} (V1)</td><td>(one row) controller epoch, holder, its heartbeat count</td>
 *       <td>brokers, by compare-and-set</td></tr>
 *   <tr><td>{@code topics} (V1)</td><td>topic id: name (unique), partition count, configs (JSON object)</td>
 *       <td>the broker that creates, grows, alters or deletes it</td></tr>
 *   <tr><td>{@code partitions} (V1)</td><td>(topic id, partition): {@code leader} (-1 none),
 *       {@code leader_epoch}, {@code committed_end}; (V3) {@code target_leader}: the hand-over the controller
 *       requested of the live leader (-1 none; recording it does not bump the epoch), {@code last_leader}: the
 *       broker whose disk may hold acknowledged records not in the bucket (set to the leader whenever a broker gets
 *       leadership, kept when the partition is taken offline, -1 after a hand-over that released it)</td>
 *       <td>the controller (leader, epoch, target: {@code electLeader}, {@code requestMove}, {@code takeOffline}),
 *       the leader (committed end, and {@code handOver}: fenced by its leader and epoch), a new incarnation of the
 *       leader's node id ({@code register}: epoch + 1)</td></tr>
 *   <tr><td>{@code partition_epochs} (V1)</td><td>(topic id, partition, epoch): its start offset (the committed
 *       end when it began) and its leader (-1 for an offline or released epoch)</td>
 *       <td>whoever bumps the epoch, in the same transaction</td></tr>
 *   <tr><td>{@code counters} (V1)</td><td>name: {@code producer_id}, the next producer id no broker has been
 *       given; (V3) {@code change_version}, moved by one in every transaction that changes topics, leadership
 *       (leader, epoch, target), registered brokers or the controller, as its last statement (so its row lock is
 *       the last one taken), never by heartbeats or commits; brokers poll it and re-read only when it moved</td>
 *       <td>any broker</td></tr>
 *   <tr><td>{@code group_offsets} (V2)</td><td>(group, topic id, partition): committed offset, leader
 *       epoch, metadata, commit time (ms)</td><td>the group's coordinator, fenced by its slot's epoch; removed
 *       with their topic</td></tr>
 *   <tr><td>{@code wal_writers} (V5)</td><td>incarnation of a broker that committed a WAL object (or that the
 *       controller revoked): {@code node_id} (NULL when revoked before it committed anything), {@code revoked}
 *       (no commit of it passes any more, so its uncommitted objects are orphans)</td><td>{@code commitWal}
 *       (inserted, read FOR SHARE), the controller ({@code revokeWalWriter}, fenced by the controller epoch)</td></tr>
 *   <tr><td>{@code wal_objects} (V5)</td><td>committed WAL object (by key): writer incarnation and node id, size,
 *       commit time (database clock), {@code deleting} (GC chose it: no range may refer to it again),
 *       {@code unresolved_ranges} (ranges its last commit attempt answered OUT_OF_ORDER: while non-zero and its
 *       writer not revoked, the writer will try again, so it is not collectable)</td><td>{@code commitWal}; the
 *       controller ({@code collectableWalObjects} marks, {@code forgetWalObjects} removes deleted ones)</td></tr>
 *   <tr><td>{@code wal_ranges} (V5)</td><td>(topic id, partition, base offset): end offset, leader epoch, object
 *       key, byte position and length in the object, {@code batches} ({@link io.strata.metadata.WalBatchCodec}'s
 *       layout: one value per range, not a row per batch); removed with their partition</td><td>{@code commitWal}
 *       (fenced by the leader, its epoch and the committed end), the leader ({@code releaseWal})</td></tr>
 *   <tr><td>{@code group_generations}, {@code group_members} (V6)</td><td>group with a completed generation, and
 *       each of its members ({@link PostgresGroups} documents the columns); gone with their slot</td><td>the
 *       group's coordinator, fenced by its slot's epoch ({@code storeGroup}, {@code deleteStoredGroup})</td></tr>
 * </table>
 * Migrations only expand (new tables, new columns with defaults), so brokers of the previous version keep working
 * during a rolling upgrade.
 */
public final class PostgresMetadataStore implements MetadataStore {
    private static final Logger LOGGER = LoggerFactory.getLogger(PostgresMetadataStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> CONFIGS = new TypeReference<>() {};

    private final HikariDataSource pool;
    private final Sql sql;
    private final PostgresWal wal;
    private final PostgresGroups groups;
    private final String description;

    private PostgresMetadataStore(HikariDataSource pool, String description) {
        this.pool = pool;
        this.sql = new Sql(pool);
        this.wal = new PostgresWal(sql);
        this.groups = new PostgresGroups(sql);
        this.description = description;
    }

    /**
     * Connects to the database {@code settings} names and migrates its schema to this version.
     *
     * @throws MetadataException when the database cannot be reached or its schema is not one this broker knows
     */
    public static PostgresMetadataStore open(PostgresSettings settings, String applicationName) {
        HikariDataSource pool = connect(settings, applicationName, false, Flyway::migrate,
                "could not be reached or migrated");
        LOGGER.info("Metadata database {} (schema migrated by Flyway)", settings);
        return new PostgresMetadataStore(pool, settings.toString());
    }

    /**
     * Connects to the database {@code settings} names for reading only ({@code strata inspect}): nothing is migrated,
     * the schema must already be this version's (Flyway validates it), and every connection is read only, so the
     * database refuses any write tried through this store (a {@link MetadataException}).
     *
     * @throws MetadataException when the database cannot be reached or its schema is not this version's
     */
    public static PostgresMetadataStore openReadOnly(PostgresSettings settings, String applicationName) {
        HikariDataSource pool = connect(settings, applicationName, true, Flyway::validate,
                "could not be reached, or its schema is not this version's (a broker of this version migrates it)");
        return new PostgresMetadataStore(pool, settings.toString());
    }

    /**
     * A pool of connections to the database; {@code readOnly}: every connection is read only, in a transaction and
     * outside one (the driver's {@code readOnlyMode=always}), so the database refuses any write on it.
     */
    private static HikariDataSource pool(PostgresSettings settings, String applicationName, boolean readOnly) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(settings.jdbcUrl());
        settings.user().ifPresent(config::setUsername);
        settings.password().ifPresent(config::setPassword);
        config.setPoolName("metadata");
        config.setMaximumPoolSize(8);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(Duration.ofSeconds(10).toMillis());
        config.setInitializationFailTimeout(-1); // Flyway reports an unreachable database, in one line
        config.addDataSourceProperty("ApplicationName", applicationName);
        config.addDataSourceProperty("connectTimeout", "10");
        config.addDataSourceProperty("socketTimeout", "30");
        if (readOnly) {
            config.setReadOnly(true);
            config.addDataSourceProperty("readOnlyMode", "always");
        }
        return new HikariDataSource(config);
    }

    /** A pool on which Flyway did {@code schema} (migrate or validate), or a MetadataException saying it failed. */
    private static HikariDataSource connect(PostgresSettings settings, String applicationName, boolean readOnly,
                                            Consumer<Flyway> schema, String failed) {
        HikariDataSource pool = pool(settings, applicationName, readOnly);
        try {
            schema.accept(Flyway.configure()
                    .dataSource(pool)
                    .locations("classpath:db/strata")
                    .table("strata_schema_history")
                    .load());
            return pool;
        } catch (FlywayException e) {
            pool.close();
            throw new MetadataException("The metadata database " + settings + " " + failed + ": " + rootMessage(e), e);
        }
    }

    @Override
    public String toString() {
        return description;
    }

    // ---- brokers -------------------------------------------------------------------------------------------

    @Override
    public void register(BrokerRegistration registration, Duration sessionTimeout) {
        int nodeId = registration.nodeId();
        boolean registered = sql.transaction("register broker " + nodeId, connection -> {
            Optional<UUID> previous;
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT incarnation FROM brokers WHERE node_id = ? FOR UPDATE")) {
                select.setInt(1, nodeId);
                try (ResultSet row = select.executeQuery()) {
                    previous = row.next() ? Optional.of(row.getObject(1, UUID.class)) : Optional.empty();
                }
            }
            try (PreparedStatement upsert = connection.prepareStatement("""
                    INSERT INTO brokers (node_id, incarnation, endpoints, rack, heartbeats, registered_at, renewed_at)
                    VALUES (?, ?, ?, ?, 0, now(), now())
                    ON CONFLICT (node_id) DO UPDATE SET incarnation = excluded.incarnation,
                        endpoints = excluded.endpoints, rack = excluded.rack, heartbeats = brokers.heartbeats + 1,
                        registered_at = now(), renewed_at = now()
                    WHERE brokers.incarnation = excluded.incarnation
                       OR brokers.renewed_at < now() - ? * interval '1 millisecond'""")) {
                upsert.setInt(1, nodeId);
                upsert.setObject(2, registration.incarnation());
                upsert.setString(3, registration.endpoints());
                upsert.setString(4, registration.rack().orElse(null));
                upsert.setLong(5, sessionTimeout.toMillis());
                if (upsert.executeUpdate() != 1) {
                    return false;
                }
            }
            if (!previous.equals(Optional.of(registration.incarnation()))) {
                fencePreviousIncarnation(connection, nodeId);
                bumpChangeVersion(connection);
            }
            return true;
        });
        if (!registered) {
            BrokerState holder = brokers().stream().filter(b -> b.nodeId() == nodeId).findFirst()
                    .orElseThrow(() -> new MetadataException("broker " + nodeId
                            + " was neither registered nor found; try again", null));
            throw new NodeIdInUseException("node id " + nodeId + " is held by a live broker at "
                    + holder.registration().endpoints() + " (incarnation " + holder.registration().incarnation()
                    + ", renewed within the last " + sessionTimeout.toMillis() + " ms): give this broker another"
                    + " node.id, or stop the other one");
        }
    }

    /**
     * Every partition led by {@code nodeId} goes to the next epoch (same leader, an epoch-history row, no move
     * requested): a new incarnation took the node id, and nothing the previous one still tries may pass the fence.
     * Rows are locked in (topic id, partition) order first (rule 7).
     */
    private static void fencePreviousIncarnation(Connection connection, int nodeId) throws SQLException {
        List<TopicPartitionId> led = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT topic_id, partition_index FROM partitions WHERE leader = ?
                ORDER BY topic_id, partition_index FOR UPDATE""")) {
            select.setInt(1, nodeId);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    led.add(new TopicPartitionId(rows.getObject(1, UUID.class), rows.getInt(2)));
                }
            }
        }
        if (led.isEmpty()) {
            return;
        }
        try (PreparedStatement bump = connection.prepareStatement("""
                WITH bumped AS (
                    UPDATE partitions SET leader_epoch = leader_epoch + 1, target_leader = -1, last_leader = leader
                    WHERE leader = ?
                    RETURNING topic_id, partition_index, leader_epoch, committed_end, leader)
                INSERT INTO partition_epochs (topic_id, partition_index, leader_epoch, start_offset, leader)
                SELECT topic_id, partition_index, leader_epoch, committed_end, leader FROM bumped""")) {
            bump.setInt(1, nodeId);
            bump.executeUpdate();
        }
        LOGGER.info("Broker {} registered as a new incarnation: {} partitions it led moved to their next epoch",
                nodeId, led.size());
    }

    @Override
    public boolean heartbeat(int nodeId, UUID incarnation) {
        return sql.transaction("renew broker " + nodeId, connection -> {
            try (PreparedStatement update = connection.prepareStatement("""
                    UPDATE brokers SET heartbeats = heartbeats + 1, renewed_at = now()
                    WHERE node_id = ? AND incarnation = ?""")) {
                update.setInt(1, nodeId);
                update.setObject(2, incarnation);
                return update.executeUpdate() == 1;
            }
        });
    }

    @Override
    public void unregister(int nodeId, UUID incarnation) {
        sql.transaction("unregister broker " + nodeId, connection -> {
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM brokers WHERE node_id = ? AND incarnation = ?")) {
                delete.setInt(1, nodeId);
                delete.setObject(2, incarnation);
                if (delete.executeUpdate() == 1) {
                    bumpChangeVersion(connection);
                }
                return null;
            }
        });
    }

    @Override
    public boolean drain(int nodeId, UUID incarnation) {
        return sql.transaction("mark broker " + nodeId + " draining", connection -> {
            try (PreparedStatement update = connection.prepareStatement("""
                    UPDATE brokers SET draining_incarnation = incarnation
                    WHERE node_id = ? AND incarnation = ? AND draining_incarnation IS DISTINCT FROM incarnation""")) {
                update.setInt(1, nodeId);
                update.setObject(2, incarnation);
                if (update.executeUpdate() == 1) {
                    bumpChangeVersion(connection);
                    return true;
                }
            }
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT 1 FROM brokers WHERE node_id = ? AND incarnation = ?")) {
                select.setInt(1, nodeId);
                select.setObject(2, incarnation);
                try (ResultSet row = select.executeQuery()) {
                    return row.next(); // draining already, or not this incarnation's
                }
            }
        });
    }

    @Override
    public List<BrokerState> brokers() {
        return sql.transaction("list brokers", connection -> {
            List<BrokerState> brokers = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("""
                    SELECT node_id, incarnation, endpoints, rack, heartbeats,
                        COALESCE(draining_incarnation = incarnation, false)
                    FROM brokers ORDER BY node_id""");
                 ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    brokers.add(new BrokerState(new BrokerRegistration(rows.getInt(1), rows.getObject(2, UUID.class),
                            rows.getString(3), Optional.ofNullable(rows.getString(4))), rows.getLong(5),
                            rows.getBoolean(6)));
                }
            }
            return brokers;
        });
    }

    // ---- controller lease ----------------------------------------------------------------------------------

    @Override
    public Optional<ControllerState> controller() {
        return sql.transaction("read the controller lease", PostgresMetadataStore::controller);
    }

    private static Optional<ControllerState> controller(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT epoch, node_id, incarnation, heartbeats FROM controller_lease WHERE id = 1");
             ResultSet row = select.executeQuery()) {
            return row.next()
                    ? Optional.of(new ControllerState(row.getLong(1), row.getInt(2), row.getObject(3, UUID.class),
                            row.getLong(4)))
                    : Optional.empty();
        }
    }

    @Override
    public OptionalLong claimController(int nodeId, UUID incarnation, Optional<ControllerState> seen) {
        return sql.transaction("claim the controller lease", connection -> {
            OptionalLong claimed;
            if (seen.isEmpty()) {
                try (PreparedStatement insert = connection.prepareStatement("""
                        INSERT INTO controller_lease (id, epoch, node_id, incarnation, heartbeats)
                        VALUES (1, 1, ?, ?, 0) ON CONFLICT (id) DO NOTHING""")) {
                    insert.setInt(1, nodeId);
                    insert.setObject(2, incarnation);
                    claimed = insert.executeUpdate() == 1 ? OptionalLong.of(1) : OptionalLong.empty();
                }
            } else {
                try (PreparedStatement update = connection.prepareStatement("""
                        UPDATE controller_lease SET epoch = epoch + 1, node_id = ?, incarnation = ?, heartbeats = 0
                        WHERE id = 1 AND epoch = ? AND heartbeats = ?""")) {
                    update.setInt(1, nodeId);
                    update.setObject(2, incarnation);
                    update.setLong(3, seen.get().epoch());
                    update.setLong(4, seen.get().heartbeats());
                    claimed = update.executeUpdate() == 1 ? OptionalLong.of(seen.get().epoch() + 1)
                            : OptionalLong.empty();
                }
            }
            if (claimed.isPresent()) {
                bumpChangeVersion(connection);
            }
            return claimed;
        });
    }

    @Override
    public boolean renewController(int nodeId, UUID incarnation, long epoch) {
        return sql.transaction("renew the controller lease", connection -> {
            try (PreparedStatement update = connection.prepareStatement("""
                    UPDATE controller_lease SET heartbeats = heartbeats + 1
                    WHERE id = 1 AND epoch = ? AND node_id = ? AND incarnation = ?""")) {
                update.setLong(1, epoch);
                update.setInt(2, nodeId);
                update.setObject(3, incarnation);
                return update.executeUpdate() == 1;
            }
        });
    }

    /**
     * Whether the controller lease is still at {@code controllerEpoch}, its row locked FOR SHARE until the
     * transaction ends (a takeover waits): the fence of every controller write.
     */
    static boolean controllerAt(Connection connection, long controllerEpoch) throws SQLException {
        try (PreparedStatement lease = connection.prepareStatement(
                "SELECT epoch FROM controller_lease WHERE id = 1 FOR SHARE");
             ResultSet row = lease.executeQuery()) {
            return row.next() && row.getLong(1) == controllerEpoch;
        }
    }

    // ---- topics --------------------------------------------------------------------------------------------

    @Override
    public boolean createTopic(TopicDefinition topic) {
        return sql.transaction("create topic " + topic.name(), connection -> {
            try (PreparedStatement insert = connection.prepareStatement("""
                    INSERT INTO topics (topic_id, name, partitions, configs, created_at) VALUES (?, ?, ?, ?, now())
                    ON CONFLICT DO NOTHING""")) {
                insert.setObject(1, topic.topicId());
                insert.setString(2, topic.name());
                insert.setInt(3, topic.partitions());
                insert.setString(4, json(new TreeMap<>(topic.configs())));
                if (insert.executeUpdate() != 1) {
                    return false;
                }
            }
            insertPartitions(connection, topic.topicId(), 0, topic.partitions());
            bumpChangeVersion(connection);
            return true;
        });
    }

    /** Partitions {@code from} (inclusive) to {@code to} (exclusive) of a topic, leaderless at epoch 0. */
    private static void insertPartitions(Connection connection, UUID topicId, int from, int to) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO partitions (topic_id, partition_index, leader, leader_epoch, committed_end, target_leader,
                                        last_leader)
                VALUES (?, ?, -1, 0, 0, -1, -1)""")) {
            for (int partition = from; partition < to; partition++) {
                insert.setObject(1, topicId);
                insert.setInt(2, partition);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    @Override
    public boolean deleteTopic(UUID topicId) {
        return sql.transaction("delete topic " + topicId, connection -> {
            // partitions and their epoch history go with the topic row (ON DELETE CASCADE)
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM topics WHERE topic_id = ?")) {
                delete.setObject(1, topicId);
                if (delete.executeUpdate() != 1) {
                    return false;
                }
            }
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM group_offsets WHERE topic_id = ?")) {
                delete.setObject(1, topicId);
                delete.executeUpdate();
            }
            bumpChangeVersion(connection);
            return true;
        });
    }

    @Override
    public boolean addPartitions(UUID topicId, int newCount) {
        return sql.transaction("add partitions to topic " + topicId, connection -> {
            int count;
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT partitions FROM topics WHERE topic_id = ? FOR UPDATE")) {
                select.setObject(1, topicId);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        return false;
                    }
                    count = row.getInt(1);
                }
            }
            if (newCount <= count) {
                return false;
            }
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE topics SET partitions = ? WHERE topic_id = ?")) {
                update.setInt(1, newCount);
                update.setObject(2, topicId);
                update.executeUpdate();
            }
            insertPartitions(connection, topicId, count, newCount);
            bumpChangeVersion(connection);
            return true;
        });
    }

    @Override
    public boolean alterTopicConfigs(UUID topicId, Map<String, String> configs) {
        String value = json(new TreeMap<>(configs));
        return sql.transaction("alter the configs of topic " + topicId, connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE topics SET configs = ? WHERE topic_id = ?")) {
                update.setString(1, value);
                update.setObject(2, topicId);
                if (update.executeUpdate() != 1) {
                    return false;
                }
            }
            bumpChangeVersion(connection);
            return true;
        });
    }

    @Override
    public List<TopicDefinition> topics() {
        return sql.transaction("list topics", connection -> {
            List<TopicDefinition> topics = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT topic_id, name, partitions, configs FROM topics ORDER BY name");
                 ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    topics.add(new TopicDefinition(rows.getObject(1, UUID.class), rows.getString(2), rows.getInt(3),
                            configs(rows.getString(4))));
                }
            }
            return topics;
        });
    }

    @Override
    public long changeVersion() {
        return sql.transaction("read the change version", connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT value FROM counters WHERE name = 'change_version'");
                 ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw new SQLException("the counter change_version is missing", "XX000");
                }
                return row.getLong(1);
            }
        });
    }

    /**
     * Moves the change version, as the last statement of a transaction that changes what brokers poll for: its
     * row is the last lock such a transaction takes, so it never waits while holding it (rule 7).
     */
    static void bumpChangeVersion(Connection connection) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE counters SET value = value + 1 WHERE name = 'change_version'")) {
            if (update.executeUpdate() != 1) {
                throw new SQLException("the counter change_version is missing", "XX000");
            }
        }
    }

    // ---- leadership ----------------------------------------------------------------------------------------

    @Override
    public List<PartitionLeadership> leadership() {
        return sql.transaction("list partition leaders", connection -> {
            List<PartitionLeadership> leadership = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("""
                    SELECT topic_id, partition_index, leader, leader_epoch, target_leader, last_leader FROM partitions
                    ORDER BY topic_id, partition_index""");
                 ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    leadership.add(new PartitionLeadership(
                            new TopicPartitionId(rows.getObject(1, UUID.class), rows.getInt(2)), rows.getInt(3),
                            rows.getInt(4), rows.getInt(5), rows.getInt(6)));
                }
            }
            return leadership;
        });
    }

    /** A partition row as read FOR UPDATE at an expected epoch. */
    private record Locked(int leader, long committedEnd, int lastLeader) {
    }

    /** The partition's row at {@code expectedEpoch}, locked FOR UPDATE; empty when it is at another epoch. */
    private static Optional<Locked> lockAtEpoch(Connection connection, TopicPartitionId partition, int expectedEpoch)
            throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT leader, committed_end, last_leader FROM partitions
                WHERE topic_id = ? AND partition_index = ? AND leader_epoch = ? FOR UPDATE""")) {
            bind(select, partition);
            select.setInt(3, expectedEpoch);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(new Locked(row.getInt(1), row.getLong(2), row.getInt(3)))
                        : Optional.empty();
            }
        }
    }

    @Override
    public Optional<PartitionLeadership> electLeader(long controllerEpoch, TopicPartitionId partition,
                                                     int expectedEpoch, int newLeader) {
        return sql.transaction("elect a leader for " + partition, connection -> {
            if (!controllerAt(connection, controllerEpoch)) {
                return Optional.<PartitionLeadership>empty();
            }
            Optional<Locked> row = lockAtEpoch(connection, partition, expectedEpoch);
            if (row.isEmpty()) {
                return Optional.<PartitionLeadership>empty();
            }
            return nextEpoch(connection, partition, expectedEpoch, row.get(), row.get().committedEnd(), newLeader, newLeader);
        });
    }

    @Override
    public Optional<PartitionLeadership> takeOffline(long controllerEpoch, TopicPartitionId partition,
                                                     int expectedEpoch) {
        return sql.transaction("take " + partition + " offline", connection -> {
            if (!controllerAt(connection, controllerEpoch)) {
                return Optional.<PartitionLeadership>empty();
            }
            Optional<Locked> row = lockAtEpoch(connection, partition, expectedEpoch)
                    .filter(locked -> locked.leader() != PartitionLeadership.NO_LEADER);
            if (row.isEmpty()) {
                return Optional.<PartitionLeadership>empty();
            }
            return nextEpoch(connection, partition, expectedEpoch, row.get(), row.get().committedEnd(),
                    PartitionLeadership.NO_LEADER, row.get().lastLeader());
        });
    }

    /**
     * The epoch bump of a partition whose row was locked at {@code expectedEpoch} ({@code locked}): one
     * {@code UPDATE ... WHERE leader = ? AND leader_epoch = ? AND committed_end = ?} with its row count checked
     * (rule 12), then the epoch-history row starting at {@code committedEnd} and the change version.
     */
    private static Optional<PartitionLeadership> nextEpoch(Connection connection, TopicPartitionId partition,
                                                           int expectedEpoch, Locked locked, long committedEnd,
                                                           int newLeader, int lastLeader) throws SQLException {
        int newEpoch = expectedEpoch + 1;
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE partitions SET leader = ?, leader_epoch = ?, committed_end = ?, target_leader = -1,
                    last_leader = ?
                WHERE topic_id = ? AND partition_index = ? AND leader = ? AND leader_epoch = ?
                  AND committed_end = ?""")) {
            update.setInt(1, newLeader);
            update.setInt(2, newEpoch);
            update.setLong(3, committedEnd);
            update.setInt(4, lastLeader);
            update.setObject(5, partition.topicId());
            update.setInt(6, partition.partition());
            update.setInt(7, locked.leader());
            update.setInt(8, expectedEpoch);
            update.setLong(9, locked.committedEnd());
            if (update.executeUpdate() != 1) {
                return Optional.empty();
            }
        }
        recordEpoch(connection, partition, newEpoch, committedEnd, newLeader);
        bumpChangeVersion(connection);
        return Optional.of(new PartitionLeadership(partition, newLeader, newEpoch, PartitionLeadership.NO_LEADER,
                lastLeader));
    }

    private static void recordEpoch(Connection connection, TopicPartitionId partition, int epoch, long startOffset,
                                    int leader) throws SQLException {
        try (PreparedStatement history = connection.prepareStatement("""
                INSERT INTO partition_epochs (topic_id, partition_index, leader_epoch, start_offset, leader)
                VALUES (?, ?, ?, ?, ?)""")) {
            bind(history, partition);
            history.setInt(3, epoch);
            history.setLong(4, startOffset);
            history.setInt(5, leader);
            history.executeUpdate();
        }
    }

    @Override
    public boolean requestMove(long controllerEpoch, TopicPartitionId partition, int expectedEpoch, int target) {
        return sql.transaction("request a move of " + partition, connection -> {
            if (!controllerAt(connection, controllerEpoch)) {
                return false;
            }
            try (PreparedStatement update = connection.prepareStatement("""
                    UPDATE partitions SET target_leader = CASE WHEN leader = ? THEN -1 ELSE ? END
                    WHERE topic_id = ? AND partition_index = ? AND leader_epoch = ? AND leader <> -1""")) {
                update.setInt(1, target);
                update.setInt(2, target);
                update.setObject(3, partition.topicId());
                update.setInt(4, partition.partition());
                update.setInt(5, expectedEpoch);
                if (update.executeUpdate() != 1) {
                    return false;
                }
            }
            bumpChangeVersion(connection);
            return true;
        });
    }

    @Override
    public Optional<PartitionLeadership> handOver(TopicPartitionId partition, int leader, int leaderEpoch,
                                                  long committedEnd, int target) {
        return sql.transaction("hand " + partition + " over to " + target, connection -> {
            Optional<Locked> row = lockAtEpoch(connection, partition, leaderEpoch)
                    .filter(locked -> locked.leader() == leader);
            if (row.isEmpty()) {
                return Optional.<PartitionLeadership>empty(); // fenced
            }
            // the last leader is the target: NO_LEADER for a clean release (nothing is left on this broker's disk)
            return nextEpoch(connection, partition, leaderEpoch, row.get(),
                    Math.max(row.get().committedEnd(), committedEnd), target, target);
        });
    }

    @Override
    public long committedEnd(TopicPartitionId partition) {
        return sql.transaction("read the committed end of " + partition, connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT committed_end FROM partitions WHERE topic_id = ? AND partition_index = ?")) {
                bind(select, partition);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        throw new IllegalArgumentException("no partition " + partition);
                    }
                    return row.getLong(1);
                }
            }
        });
    }

    @Override
    public boolean advanceCommittedEnd(TopicPartitionId partition, int leader, int leaderEpoch, long newEnd) {
        return sql.transaction("commit " + partition + " up to " + newEnd, connection -> {
            try (PreparedStatement update = connection.prepareStatement("""
                    UPDATE partitions SET committed_end = GREATEST(committed_end, ?)
                    WHERE topic_id = ? AND partition_index = ? AND leader = ? AND leader_epoch = ?""")) {
                update.setLong(1, newEnd);
                update.setObject(2, partition.topicId());
                update.setInt(3, partition.partition());
                update.setInt(4, leader);
                update.setInt(5, leaderEpoch);
                return update.executeUpdate() == 1;
            }
        });
    }

    @Override
    public List<EpochStart> epochHistory(TopicPartitionId partition) {
        return sql.transaction("read the epoch history of " + partition, connection -> {
            List<EpochStart> history = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("""
                    SELECT leader_epoch, start_offset, leader FROM partition_epochs
                    WHERE topic_id = ? AND partition_index = ? ORDER BY leader_epoch""")) {
                bind(select, partition);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        history.add(new EpochStart(rows.getInt(1), rows.getLong(2), rows.getInt(3)));
                    }
                }
            }
            return history;
        });
    }

    // ---- committed offsets ---------------------------------------------------------------------------------

    @Override
    public boolean commitOffsets(TopicPartitionId slot, int coordinator, int slotEpoch,
                                 List<CommittedOffset> offsets) {
        return sql.transaction("commit offsets", connection -> {
            if (!leadsFor(connection, slot, coordinator, slotEpoch)) {
                return false;
            }
            try (PreparedStatement upsert = connection.prepareStatement("""
                    INSERT INTO group_offsets (group_id, topic_id, partition_index, committed_offset, leader_epoch,
                                               metadata, commit_time_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (group_id, topic_id, partition_index) DO UPDATE SET
                        committed_offset = excluded.committed_offset, leader_epoch = excluded.leader_epoch,
                        metadata = excluded.metadata, commit_time_ms = excluded.commit_time_ms""")) {
                for (CommittedOffset offset : sorted(offsets)) {
                    bindOffset(upsert, offset);
                }
                upsert.executeBatch();
            }
            return true;
        });
    }

    @Override
    public List<CommittedOffset> committedOffsets(String group) {
        return sql.transaction("read the offsets of group " + group, connection -> {
            List<CommittedOffset> offsets = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("""
                    SELECT topic_id, partition_index, committed_offset, leader_epoch, metadata, commit_time_ms
                    FROM group_offsets WHERE group_id = ? ORDER BY topic_id, partition_index""")) {
                select.setString(1, group);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        offsets.add(new CommittedOffset(group, new TopicPartitionId(rows.getObject(1, UUID.class),
                                rows.getInt(2)), rows.getLong(3), rows.getInt(4), rows.getString(5), rows.getLong(6)));
                    }
                }
            }
            return offsets;
        });
    }

    @Override
    public boolean deleteOffsets(TopicPartitionId slot, int coordinator, int slotEpoch, String group,
                                 List<TopicPartitionId> partitions) {
        return sql.transaction("delete offsets of group " + group, connection -> {
            if (!leadsFor(connection, slot, coordinator, slotEpoch)) {
                return false;
            }
            if (partitions.isEmpty()) {
                try (PreparedStatement delete = connection.prepareStatement(
                        "DELETE FROM group_offsets WHERE group_id = ?")) {
                    delete.setString(1, group);
                    delete.executeUpdate();
                }
                return true;
            }
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM group_offsets WHERE group_id = ? AND topic_id = ? AND partition_index = ?")) {
                for (TopicPartitionId partition : partitions) {
                    delete.setString(1, group);
                    delete.setObject(2, partition.topicId());
                    delete.setInt(3, partition.partition());
                    delete.addBatch();
                }
                delete.executeBatch();
            }
            return true;
        });
    }

    /**
     * Whether {@code leader} leads {@code partition} at {@code epoch}, its row locked FOR SHARE until the
     * transaction ends (an election, which takes it FOR UPDATE, waits): the fence of a write on its behalf.
     */
    static boolean leadsFor(Connection connection, TopicPartitionId partition, int leader, int epoch)
            throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT 1 FROM partitions WHERE topic_id = ? AND partition_index = ? AND leader = ? AND leader_epoch = ?
                FOR SHARE""")) {
            bind(select, partition);
            select.setInt(3, leader);
            select.setInt(4, epoch);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }

    /** Adds {@code offset} to a batch of {@code group_offsets} rows (its seven columns in table order). */
    static void bindOffset(PreparedStatement statement, CommittedOffset offset) throws SQLException {
        statement.setString(1, offset.group());
        statement.setObject(2, offset.partition().topicId());
        statement.setInt(3, offset.partition().partition());
        statement.setLong(4, offset.offset());
        statement.setInt(5, offset.leaderEpoch());
        statement.setString(6, offset.metadata());
        statement.setLong(7, offset.commitTimeMs());
        statement.addBatch();
    }

    /** In (topic id, partition) order: rows are locked in one order by every transaction (rule 7). */
    private static List<CommittedOffset> sorted(List<CommittedOffset> offsets) {
        return offsets.stream().sorted(java.util.Comparator.comparing(CommittedOffset::partition)).toList();
    }

    // ---- write-ahead log (PostgresWal) -----------------------------------------------------------------------

    @Override
    public Map<TopicPartitionId, WalCommitOutcome> commitWal(WalObjectCommit commit) {
        return wal.commit(commit);
    }

    @Override
    public List<WalRange> walRanges(TopicPartitionId partition, long fromOffset) {
        return wal.ranges(partition, fromOffset);
    }

    @Override
    public boolean releaseWal(TopicPartitionId partition, int leader, int leaderEpoch, long upTo) {
        return wal.release(partition, leader, leaderEpoch, upTo);
    }

    @Override
    public List<String> collectableWalObjects(long controllerEpoch, int limit) {
        return wal.collectable(controllerEpoch, limit);
    }

    @Override
    public void forgetWalObjects(List<String> objectKeys) {
        wal.forget(objectKeys);
    }

    @Override
    public boolean revokeWalWriter(long controllerEpoch, UUID incarnation) {
        return wal.revoke(controllerEpoch, incarnation);
    }

    @Override
    public List<String> committedWalObjects(UUID incarnation) {
        return wal.committedObjects(incarnation);
    }

    @Override
    public WalCatalog walCatalog() {
        return wal.catalog();
    }

    // ---- rebuilding from the bucket (PostgresRestore) ----------------------------------------------------------

    @Override
    public boolean restore(RestoredMetadata metadata) {
        return sql.transaction("restore " + metadata.topics().size() + " topics from the bucket",
                connection -> PostgresRestore.restore(connection, metadata));
    }

    // ---- generations of consumer groups (PostgresGroups) -------------------------------------------------------

    @Override
    public boolean storeGroup(TopicPartitionId slot, int coordinator, int slotEpoch, StoredGroup group) {
        return groups.store(slot, coordinator, slotEpoch, group);
    }

    @Override
    public Optional<StoredGroup> storedGroup(String groupId) {
        return groups.read(groupId);
    }

    @Override
    public List<StoredGroup> storedGroups(TopicPartitionId slot) {
        return groups.readSlot(slot);
    }

    @Override
    public boolean deleteStoredGroup(TopicPartitionId slot, int coordinator, int slotEpoch, String groupId) {
        return groups.delete(slot, coordinator, slotEpoch, groupId);
    }

    // ---- producer ids --------------------------------------------------------------------------------------

    @Override
    public long allocateProducerIds(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a block holds at least one producer id, not " + size);
        }
        return sql.transaction("reserve producer ids", connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE counters SET value = value + ? WHERE name = 'producer_id' RETURNING value")) {
                update.setLong(1, size);
                try (ResultSet row = update.executeQuery()) {
                    if (!row.next()) {
                        throw new SQLException("the counter producer_id is missing", "XX000");
                    }
                    return row.getLong(1) - size;
                }
            }
        });
    }

    @Override
    public void close() {
        pool.close();
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static void bind(PreparedStatement statement, TopicPartitionId partition) throws SQLException {
        statement.setObject(1, partition.topicId());
        statement.setInt(2, partition.partition());
    }

    static String json(Map<String, String> configs) {
        try {
            return JSON.writeValueAsString(configs);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> configs(String json) {
        try {
            return JSON.readValue(json, CONFIGS);
        } catch (JsonProcessingException e) {
            throw new MetadataException("a topic's configs are not a JSON object: " + e.getOriginalMessage(), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
