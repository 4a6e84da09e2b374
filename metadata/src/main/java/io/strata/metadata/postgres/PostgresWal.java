package io.strata.metadata.postgres;

import io.strata.metadata.TopicPartitionId;
import io.strata.metadata.WalBatchCodec;
import io.strata.metadata.WalCatalog;
import io.strata.metadata.WalCommitOutcome;
import io.strata.metadata.WalObjectCommit;
import io.strata.metadata.WalRange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The write-ahead-log part of {@link PostgresMetadataStore}: tables {@code wal_writers}, {@code wal_objects} and
 * {@code wal_ranges} (V5; the store's Javadoc documents them). Lock order, the same in every transaction here: the
 * controller lease (GC), the writer row, the object row, then partition rows in (topic id, partition) order
 * (CLUSTER.md rule 7). Why an object cannot be collected while a commit records a range in it: a commit holds the
 * object's row FOR SHARE until it ends, and GC locks the rows it considers FOR UPDATE before it re-checks, in a
 * statement of its own (a new snapshot at READ COMMITTED), that none of their ranges exists. Thread-safe.
 */
final class PostgresWal {

    /** An object whose ranges are all gone (released, or their partition deleted), and no commit of it pending. */
    private static final String COLLECTABLE = """
            (o.deleting OR (NOT EXISTS (SELECT 1 FROM wal_ranges r WHERE r.object_key = o.object_key)
              AND (o.unresolved_ranges = 0
                   OR EXISTS (SELECT 1 FROM wal_writers w WHERE w.incarnation = o.incarnation AND w.revoked))))""";

    private final Sql sql;

    PostgresWal(Sql sql) {
        this.sql = sql;
    }

    /** The object's row as a commit reads it FOR SHARE. */
    private record ObjectRow(boolean deleting, int unresolvedRanges) {
    }

    Map<TopicPartitionId, WalCommitOutcome> commit(WalObjectCommit commit) {
        List<WalRange> ranges = commit.rangesInLockOrder();
        return sql.transaction("commit WAL object " + commit.objectKey(), connection -> {
            Map<TopicPartitionId, WalCommitOutcome> outcomes = new LinkedHashMap<>();
            if (!lockLiveWriter(connection, commit)) {
                ranges.forEach(range -> outcomes.put(range.partition(), WalCommitOutcome.FENCED));
                return outcomes;
            }
            ObjectRow object = lockObject(connection, commit);
            boolean mayRecord = !object.deleting();
            int[] passed = mayRecord ? moveCommittedEnds(connection, commit.nodeId(), ranges) : new int[ranges.size()];
            List<WalRange> recorded = new ArrayList<>();
            for (int i = 0; i < ranges.size(); i++) {
                WalRange range = ranges.get(i);
                if (passed[i] == 1) {
                    recorded.add(range);
                    outcomes.put(range.partition(), WalCommitOutcome.COMMITTED);
                } else {
                    outcomes.put(range.partition(), reread(connection, commit.nodeId(), range, mayRecord));
                }
            }
            insertRanges(connection, recorded);
            int unresolved = (int) outcomes.values().stream().filter(WalCommitOutcome.OUT_OF_ORDER::equals).count();
            if (unresolved != object.unresolvedRanges()) {
                try (PreparedStatement update = connection.prepareStatement(
                        "UPDATE wal_objects SET unresolved_ranges = ? WHERE object_key = ?")) {
                    update.setInt(1, unresolved);
                    update.setString(2, commit.objectKey());
                    update.executeUpdate();
                }
            }
            return outcomes;
        });
    }

    /** The writer's row (created if new), locked FOR SHARE so a revocation waits for this commit; false if revoked. */
    private static boolean lockLiveWriter(Connection connection, WalObjectCommit commit) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO wal_writers (incarnation, node_id, revoked) VALUES (?, ?, false)
                ON CONFLICT (incarnation) DO NOTHING""")) {
            insert.setObject(1, commit.incarnation());
            insert.setInt(2, commit.nodeId());
            insert.executeUpdate();
        }
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT revoked FROM wal_writers WHERE incarnation = ? FOR SHARE")) {
            select.setObject(1, commit.incarnation());
            try (ResultSet row = select.executeQuery()) {
                return row.next() && !row.getBoolean(1);
            }
        }
    }

    /** The object's row (created if new), locked FOR SHARE so GC cannot mark it deleting before this commit ends. */
    private static ObjectRow lockObject(Connection connection, WalObjectCommit commit) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO wal_objects (object_key, incarnation, node_id, size_bytes, committed_at, deleting,
                                         unresolved_ranges)
                VALUES (?, ?, ?, ?, now(), false, 0) ON CONFLICT (object_key) DO NOTHING""")) {
            insert.setString(1, commit.objectKey());
            insert.setObject(2, commit.incarnation());
            insert.setInt(3, commit.nodeId());
            insert.setLong(4, commit.sizeBytes());
            insert.executeUpdate();
        }
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT deleting, unresolved_ranges FROM wal_objects WHERE object_key = ? FOR SHARE")) {
            select.setString(1, commit.objectKey());
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw new SQLException("WAL object " + commit.objectKey() + " vanished while being committed",
                            "40001"); // forgotten between our insert and our read: try again
                }
                return new ObjectRow(row.getBoolean(1), row.getInt(2));
            }
        }
    }

    /**
     * The fence of each range, in one round trip: {@code UPDATE ... WHERE leader = ? AND leader_epoch = ? AND
     * committed_end = base} (rule 12); element i is range i's row count.
     */
    private static int[] moveCommittedEnds(Connection connection, int leader, List<WalRange> ranges)
            throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE partitions SET committed_end = ?
                WHERE topic_id = ? AND partition_index = ? AND leader = ? AND leader_epoch = ? AND committed_end = ?""")) {
            for (WalRange range : ranges) {
                update.setLong(1, range.endOffset());
                update.setObject(2, range.partition().topicId());
                update.setInt(3, range.partition().partition());
                update.setInt(4, leader);
                update.setInt(5, range.leaderEpoch());
                update.setLong(6, range.baseOffset());
                update.addBatch();
            }
            return update.executeBatch();
        }
    }

    private static void insertRanges(Connection connection, List<WalRange> ranges) throws SQLException {
        if (ranges.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO wal_ranges (topic_id, partition_index, base_offset, end_offset, leader_epoch, object_key,
                                        position, length, batches)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            for (WalRange range : ranges) {
                insert.setObject(1, range.partition().topicId());
                insert.setInt(2, range.partition().partition());
                insert.setLong(3, range.baseOffset());
                insert.setLong(4, range.endOffset());
                insert.setInt(5, range.leaderEpoch());
                insert.setString(6, range.objectKey());
                insert.setLong(7, range.position());
                insert.setInt(8, range.length());
                insert.setBytes(9, WalBatchCodec.encode(range.batches()));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /**
     * Why a range's fence did not pass: recorded by an earlier attempt (a lost reply) is COMMITTED; otherwise
     * {@link WalCommitOutcome#ofUnrecorded} decides from the partition's row.
     */
    private static WalCommitOutcome reread(Connection connection, int leader, WalRange range, boolean mayRecord)
            throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT 1 FROM wal_ranges
                WHERE topic_id = ? AND partition_index = ? AND base_offset = ? AND object_key = ?""")) {
            select.setObject(1, range.partition().topicId());
            select.setInt(2, range.partition().partition());
            select.setLong(3, range.baseOffset());
            select.setString(4, range.objectKey());
            try (ResultSet row = select.executeQuery()) {
                if (row.next()) {
                    return WalCommitOutcome.COMMITTED;
                }
            }
        }
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT leader, leader_epoch, committed_end FROM partitions
                WHERE topic_id = ? AND partition_index = ?""")) {
            select.setObject(1, range.partition().topicId());
            select.setInt(2, range.partition().partition());
            try (ResultSet row = select.executeQuery()) {
                return WalCommitOutcome.ofUnrecorded(range, leader, row.next() ? Optional.of(
                        new WalCommitOutcome.PartitionState(row.getInt(1), row.getInt(2), row.getLong(3)))
                        : Optional.empty(), mayRecord);
            }
        }
    }

    List<WalRange> ranges(TopicPartitionId partition, long fromOffset) {
        return sql.transaction("read the WAL ranges of " + partition, connection -> {
            List<WalRange> ranges = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("""
                    SELECT leader_epoch, base_offset, end_offset, object_key, position, length, batches
                    FROM wal_ranges WHERE topic_id = ? AND partition_index = ? AND end_offset > ?
                    ORDER BY base_offset""")) {
                select.setObject(1, partition.topicId());
                select.setInt(2, partition.partition());
                select.setLong(3, fromOffset);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        ranges.add(new WalRange(partition, rows.getInt(1), rows.getLong(2), rows.getLong(3),
                                rows.getString(4), rows.getLong(5), rows.getInt(6),
                                WalBatchCodec.decode(rows.getBytes(7))));
                    }
                }
            }
            return ranges;
        });
    }

    boolean release(TopicPartitionId partition, int leader, int leaderEpoch, long upTo) {
        return sql.transaction("release the WAL ranges of " + partition + " up to " + upTo, connection -> {
            try (PreparedStatement select = connection.prepareStatement("""
                    SELECT 1 FROM partitions
                    WHERE topic_id = ? AND partition_index = ? AND leader = ? AND leader_epoch = ? AND committed_end >= ?
                    FOR SHARE""")) {
                select.setObject(1, partition.topicId());
                select.setInt(2, partition.partition());
                select.setInt(3, leader);
                select.setInt(4, leaderEpoch);
                select.setLong(5, upTo);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        return false;
                    }
                }
            }
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM wal_ranges WHERE topic_id = ? AND partition_index = ? AND end_offset <= ?")) {
                delete.setObject(1, partition.topicId());
                delete.setInt(2, partition.partition());
                delete.setLong(3, upTo);
                delete.executeUpdate();
            }
            return true;
        });
    }

    List<String> collectable(long controllerEpoch, int limit) {
        return sql.transaction("find collectable WAL objects", connection -> {
            if (!PostgresMetadataStore.controllerAt(connection, controllerEpoch)) {
                return List.<String>of();
            }
            List<String> candidates = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("SELECT o.object_key FROM wal_objects o WHERE "
                    + COLLECTABLE + " ORDER BY o.object_key COLLATE \"C\" LIMIT ? FOR UPDATE OF o")) {
                select.setInt(1, limit);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        candidates.add(rows.getString(1));
                    }
                }
            }
            if (candidates.isEmpty()) {
                return List.<String>of();
            }
            // locked now: a commit that was recording a range in one of them has ended; check again, newly
            List<String> marked = new ArrayList<>();
            try (PreparedStatement update = connection.prepareStatement("UPDATE wal_objects o SET deleting = true"
                    + " WHERE o.object_key = ANY (?) AND " + COLLECTABLE + " RETURNING o.object_key")) {
                update.setArray(1, connection.createArrayOf("text", candidates.toArray()));
                try (ResultSet rows = update.executeQuery()) {
                    while (rows.next()) {
                        marked.add(rows.getString(1));
                    }
                }
            }
            marked.sort(Comparator.naturalOrder());
            return marked;
        });
    }

    void forget(List<String> objectKeys) {
        if (objectKeys.isEmpty()) {
            return;
        }
        sql.transaction("forget " + objectKeys.size() + " deleted WAL objects", connection -> {
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM wal_objects WHERE object_key = ANY (?) AND deleting")) {
                delete.setArray(1, connection.createArrayOf("text", objectKeys.toArray()));
                delete.executeUpdate();
            }
            return null;
        });
    }

    boolean revoke(long controllerEpoch, UUID incarnation) {
        return sql.transaction("revoke WAL writer " + incarnation, connection -> {
            if (!PostgresMetadataStore.controllerAt(connection, controllerEpoch)) {
                return false;
            }
            try (PreparedStatement upsert = connection.prepareStatement("""
                    INSERT INTO wal_writers (incarnation, node_id, revoked) VALUES (?, NULL, true)
                    ON CONFLICT (incarnation) DO UPDATE SET revoked = true""")) {
                upsert.setObject(1, incarnation);
                upsert.executeUpdate();
            }
            return true;
        });
    }

    /**
     * One REPEATABLE READ, READ ONLY transaction (one snapshot, and the database refuses any write in it): the
     * registered incarnations, the revoked writers, every object with {@link #COLLECTABLE} evaluated, and the ranges.
     */
    WalCatalog catalog() {
        return sql.transaction("read the WAL catalog", connection -> {
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            }
            Set<UUID> registered = uuids(connection, "SELECT incarnation FROM brokers");
            Set<UUID> revoked = uuids(connection, "SELECT incarnation FROM wal_writers WHERE revoked");
            Map<String, List<WalCatalog.Extent>> ranges = new HashMap<>();
            try (PreparedStatement select = connection.prepareStatement("""
                    SELECT object_key, topic_id, partition_index, base_offset, end_offset, position, length
                    FROM wal_ranges ORDER BY topic_id, partition_index, base_offset""");
                 ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    ranges.computeIfAbsent(rows.getString(1), key -> new ArrayList<>()).add(new WalCatalog.Extent(
                            new TopicPartitionId(rows.getObject(2, UUID.class), rows.getInt(3)), rows.getLong(4),
                            rows.getLong(5), rows.getLong(6), rows.getInt(7)));
                }
            }
            List<WalCatalog.CommittedObject> objects = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("SELECT o.object_key, o.incarnation,"
                    + " o.size_bytes, " + COLLECTABLE + " FROM wal_objects o ORDER BY o.object_key COLLATE \"C\"");
                 ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    String key = rows.getString(1);
                    objects.add(new WalCatalog.CommittedObject(key, rows.getObject(2, UUID.class), rows.getLong(3),
                            rows.getBoolean(4), ranges.getOrDefault(key, List.of())));
                }
            }
            return new WalCatalog(registered, revoked, objects);
        });
    }

    private static Set<UUID> uuids(Connection connection, String query) throws SQLException {
        Set<UUID> uuids = new HashSet<>();
        try (PreparedStatement select = connection.prepareStatement(query); ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                uuids.add(rows.getObject(1, UUID.class));
            }
        }
        return uuids;
    }

    List<String> committedObjects(UUID incarnation) {
        return sql.transaction("list the WAL objects of " + incarnation, connection -> {
            List<String> keys = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT object_key FROM wal_objects WHERE incarnation = ? ORDER BY object_key COLLATE \"C\"")) {
                select.setObject(1, incarnation);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        keys.add(rows.getString(1));
                    }
                }
            }
            return keys;
        });
    }
}
