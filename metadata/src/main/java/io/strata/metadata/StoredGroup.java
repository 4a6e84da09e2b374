package io.strata.metadata;

import java.util.List;
import java.util.Objects;

/**
 * A consumer group's last completed generation, as its coordinator stores it in the metadata database (CLUSTER.md
 * rule 10, Kafka's GroupMetadata record of {@code __consumer_offsets}): the generation, the protocol type and the
 * protocol the generation selected, its leader, and its members in join order, each with the subscription it joined
 * with and the assignment the leader gave it. Only a group with members is stored: an empty group's row is deleted.
 * A coordinator that takes over the group's slot continues this generation, so a member's requests at it go on
 * being accepted without a rebalance.
 */
public record StoredGroup(String groupId, int generation, String protocolType, String protocolName, String leaderId,
                          List<StoredMember> members) {
    public StoredGroup {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(protocolType, "protocolType");
        Objects.requireNonNull(protocolName, "protocolName");
        Objects.requireNonNull(leaderId, "leaderId");
        members = List.copyOf(members);
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a stored group has members; group " + groupId + " has none");
        }
    }
}
