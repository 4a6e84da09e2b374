package io.strata.metadata.postgres;

import io.strata.metadata.StoredGroup;
import io.strata.metadata.StoredMember;
import io.strata.metadata.TopicPartitionId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The consumer-group generations of {@link PostgresMetadataStore} (CLUSTER.md rule 10), in two tables (V6):
 * <table>
 *   <tr><th>table</th><th>one row per</th><th>columns</th></tr>
 *   <tr><td>{@code group_generations}</td><td>group with a completed generation and members</td>
 *       <td>{@code group_id}; its coordinator slot ({@code slot_topic_id}, {@code slot_partition}: a partition of
 *       {@code __consumer_offsets}, the row goes with it); {@code generation}; {@code protocol_type} (e.g.
 *       {@code consumer}); {@code protocol_name} (the protocol the generation selected, e.g. {@code range});
 *       {@code leader_id} (the leader's member id)</td></tr>
 *   <tr><td>{@code group_members}</td><td>member of such a group</td>
 *       <td>{@code group_id}, {@code member_index} (join order, from 0: the coordinator's order of members, which
 *       picks the next leader), {@code member_id}, {@code group_instance_id} (NULL for a dynamic member),
 *       {@code client_id}, {@code client_host}, {@code session_timeout_ms}, {@code rebalance_timeout_ms},
 *       {@code subscription} (the member's metadata for the selected protocol, as it sent it), {@code assignment}
 *       (as the leader sent it); gone with its group's row</td></tr>
 * </table>
 * For example, group {@code billing} at generation 4 with one consumer: {@code group_generations} ('billing',
 * slot 7 of {@code __consumer_offsets}, 4, 'consumer', 'range', 'c-1-5d0e...') and {@code group_members}
 * ('billing', 0, 'c-1-5d0e...', NULL, 'c-1', '/10.0.0.5', 45000, 300000, <subscription>, <assignment>).
 *
 * <p>Every write is one transaction that first takes the slot's partition row FOR SHARE, with the coordinator and
 * slot epoch as its condition (the fence of committed offsets too), then replaces the group's rows. A read is one
 * statement (a join), so it sees one snapshot: never one write's group row with another's members. Thread-safe.
 */
final class PostgresGroups {

    private static final String SELECT = """
            SELECT g.group_id, g.generation, g.protocol_type, g.protocol_name, g.leader_id, m.member_id,
                   m.group_instance_id, m.client_id, m.client_host, m.session_timeout_ms, m.rebalance_timeout_ms,
                   m.subscription, m.assignment
            FROM group_generations g JOIN group_members m ON m.group_id = g.group_id
            """;

    private final Sql sql;

    PostgresGroups(Sql sql) {
        this.sql = sql;
    }

    boolean store(TopicPartitionId slot, int coordinator, int slotEpoch, StoredGroup group) {
        return fenced("store the generation of group " + group.groupId(), slot, coordinator, slotEpoch, connection -> {
            try (PreparedStatement upsert = connection.prepareStatement("""
                    INSERT INTO group_generations (group_id, slot_topic_id, slot_partition, generation, protocol_type,
                                                   protocol_name, leader_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (group_id) DO UPDATE SET
                        slot_topic_id = excluded.slot_topic_id, slot_partition = excluded.slot_partition,
                        generation = excluded.generation, protocol_type = excluded.protocol_type,
                        protocol_name = excluded.protocol_name, leader_id = excluded.leader_id""")) {
                upsert.setString(1, group.groupId());
                upsert.setObject(2, slot.topicId());
                upsert.setInt(3, slot.partition());
                upsert.setInt(4, group.generation());
                upsert.setString(5, group.protocolType());
                upsert.setString(6, group.protocolName());
                upsert.setString(7, group.leaderId());
                upsert.executeUpdate();
            }
            deleteMembers(connection, group.groupId());
            try (PreparedStatement insert = connection.prepareStatement("""
                    INSERT INTO group_members (group_id, member_index, member_id, group_instance_id, client_id,
                                               client_host, session_timeout_ms, rebalance_timeout_ms, subscription,
                                               assignment)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                int index = 0;
                for (StoredMember member : group.members()) {
                    insert.setString(1, group.groupId());
                    insert.setInt(2, index++);
                    insert.setString(3, member.memberId());
                    insert.setString(4, member.groupInstanceId().orElse(null));
                    insert.setString(5, member.clientId());
                    insert.setString(6, member.clientHost());
                    insert.setInt(7, member.sessionTimeoutMs());
                    insert.setInt(8, member.rebalanceTimeoutMs());
                    insert.setBytes(9, member.subscription());
                    insert.setBytes(10, member.assignment());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        });
    }

    Optional<StoredGroup> read(String groupId) {
        return sql.transaction("read the generation of group " + groupId, connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    SELECT + "WHERE g.group_id = ? ORDER BY m.member_index")) {
                select.setString(1, groupId);
                return groups(select).stream().findFirst();
            }
        });
    }

    List<StoredGroup> readSlot(TopicPartitionId slot) {
        return sql.transaction("read the group generations of slot " + slot.partition(), connection -> {
            try (PreparedStatement select = connection.prepareStatement(SELECT
                    + "WHERE g.slot_topic_id = ? AND g.slot_partition = ? ORDER BY g.group_id, m.member_index")) {
                select.setObject(1, slot.topicId());
                select.setInt(2, slot.partition());
                return groups(select);
            }
        });
    }

    boolean delete(TopicPartitionId slot, int coordinator, int slotEpoch, String groupId) {
        return fenced("delete the generation of group " + groupId, slot, coordinator, slotEpoch, connection -> {
            deleteMembers(connection, groupId);
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM group_generations WHERE group_id = ?")) {
                delete.setString(1, groupId);
                delete.executeUpdate();
            }
        });
    }

    /** Writes on a connection, in a transaction that commits nothing (false) unless the coordinator leads the slot. */
    @FunctionalInterface
    private interface Write {
        void run(Connection connection) throws SQLException;
    }

    private boolean fenced(String what, TopicPartitionId slot, int coordinator, int slotEpoch, Write write) {
        return sql.transaction(what, connection -> {
            if (!PostgresMetadataStore.leadsFor(connection, slot, coordinator, slotEpoch)) {
                return false;
            }
            write.run(connection);
            return true;
        });
    }

    private static void deleteMembers(Connection connection, String groupId) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM group_members WHERE group_id = ?")) {
            delete.setString(1, groupId);
            delete.executeUpdate();
        }
    }

    /** The groups of rows ordered by group, then member index. */
    private static List<StoredGroup> groups(PreparedStatement select) throws SQLException {
        List<StoredGroup> groups = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            List<StoredMember> members = new ArrayList<>();
            StoredGroup head = null;
            while (rows.next()) {
                if (head != null && !head.groupId().equals(rows.getString(1))) {
                    groups.add(withMembers(head, members));
                    members.clear();
                }
                StoredMember member = new StoredMember(rows.getString(6), Optional.ofNullable(rows.getString(7)),
                        rows.getString(8), rows.getString(9), rows.getInt(10), rows.getInt(11), rows.getBytes(12),
                        rows.getBytes(13));
                members.add(member);
                head = new StoredGroup(rows.getString(1), rows.getInt(2), rows.getString(3), rows.getString(4),
                        rows.getString(5), List.of(member));
            }
            if (head != null) {
                groups.add(withMembers(head, members));
            }
        }
        return groups;
    }

    private static StoredGroup withMembers(StoredGroup head, List<StoredMember> members) {
        return new StoredGroup(head.groupId(), head.generation(), head.protocolType(), head.protocolName(),
                head.leaderId(), members);
    }
}
