package io.strata.metadata.postgres;

import io.strata.metadata.CommittedOffset;
import io.strata.metadata.RestoredMetadata;
import io.strata.metadata.RestoredMetadata.RestoredPartition;
import io.strata.metadata.RestoredMetadata.RestoredTopic;
import io.strata.metadata.TopicPartitionId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.TreeMap;

/**
 * {@link PostgresMetadataStore#restore}: fills an empty database from what was found in the bucket, in one
 * transaction. Rows written: {@code topics}; {@code partitions} leaderless with no last leader at the restored epoch
 * and committed end; one {@code partition_epochs} row per partition (that epoch, starting at the committed end, led
 * by no one, -1); {@code group_offsets}; the {@code producer_id} counter raised to the floor; the change version.
 * Refused (nothing written) when {@code topics} has a row. Two restores racing each other: the second one's topic
 * rows conflict with the first's (unique id and name) and it fails.
 */
final class PostgresRestore {

    private PostgresRestore() {
    }

    static boolean restore(Connection connection, RestoredMetadata metadata) throws SQLException {
        try (PreparedStatement any = connection.prepareStatement("SELECT 1 FROM topics LIMIT 1");
             ResultSet row = any.executeQuery()) {
            if (row.next()) {
                return false;
            }
        }
        // In (topic id, partition) order, the order every transaction locks rows in (rule 7)
        for (RestoredTopic topic : metadata.topics().stream()
                .sorted(Comparator.comparing(t -> new TopicPartitionId(t.topic().topicId(), 0)))
                .toList()) {
            insertTopic(connection, topic);
        }
        insertOffsets(connection, metadata);
        try (PreparedStatement floor = connection.prepareStatement(
                "UPDATE counters SET value = GREATEST(value, ?) WHERE name = 'producer_id'")) {
            floor.setLong(1, metadata.producerIdFloor());
            if (floor.executeUpdate() != 1) {
                throw new SQLException("the counter producer_id is missing", "XX000");
            }
        }
        PostgresMetadataStore.bumpChangeVersion(connection);
        return true;
    }

    private static void insertTopic(Connection connection, RestoredTopic restored) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO topics (topic_id, name, partitions, configs, created_at) VALUES (?, ?, ?, ?, now())""")) {
            insert.setObject(1, restored.topic().topicId());
            insert.setString(2, restored.topic().name());
            insert.setInt(3, restored.topic().partitions());
            insert.setString(4, PostgresMetadataStore.json(new TreeMap<>(restored.topic().configs())));
            insert.executeUpdate();
        }
        try (PreparedStatement partitions = connection.prepareStatement("""
                INSERT INTO partitions (topic_id, partition_index, leader, leader_epoch, committed_end, target_leader,
                                        last_leader)
                VALUES (?, ?, -1, ?, ?, -1, -1)""");
             PreparedStatement epochs = connection.prepareStatement("""
                INSERT INTO partition_epochs (topic_id, partition_index, leader_epoch, start_offset, leader)
                VALUES (?, ?, ?, ?, -1)""")) {
            for (int p = 0; p < restored.partitions().size(); p++) {
                RestoredPartition partition = restored.partitions().get(p);
                for (PreparedStatement statement : new PreparedStatement[] {partitions, epochs}) {
                    statement.setObject(1, restored.topic().topicId());
                    statement.setInt(2, p);
                    statement.setInt(3, partition.leaderEpoch());
                    statement.setLong(4, partition.committedEnd());
                    statement.addBatch();
                }
            }
            partitions.executeBatch();
            epochs.executeBatch();
        }
    }

    private static void insertOffsets(Connection connection, RestoredMetadata metadata) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO group_offsets (group_id, topic_id, partition_index, committed_offset, leader_epoch,
                                           metadata, commit_time_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?)""")) {
            for (CommittedOffset offset : metadata.offsets()) {
                PostgresMetadataStore.bindOffset(insert, offset);
            }
            insert.executeBatch();
        }
    }
}
