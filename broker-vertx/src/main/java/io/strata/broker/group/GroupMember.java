package io.strata.broker.group;

import io.strata.metadata.StoredMember;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;

/**
 * One member of a classic group: who it is, its timeouts, the protocols it offered in its last JoinGroup, the
 * assignment the leader gave it, and the JoinGroup / SyncGroup answers it is waiting for. Not thread-safe: owned
 * by the coordinator's thread.
 */
final class GroupMember {

    final String memberId;
    final Optional<String> groupInstanceId;
    final String clientId;
    final String clientHost;
    final String protocolType;
    int sessionTimeoutMs;
    int rebalanceTimeoutMs;
    /** Protocol name to metadata, in the member's order of preference. */
    Map<String, byte[]> protocols = new LinkedHashMap<>();
    byte[] assignment = new byte[0];
    /** True until the member's first JoinGroup completed. */
    boolean isNew = true;
    CompletableFuture<JoinGroupResponseData> awaitingJoin;
    short joinVersion;
    CompletableFuture<SyncGroupResponseData> awaitingSync;
    short syncVersion;
    GroupScheduler.Timer heartbeatTimer;

    GroupMember(String memberId, Optional<String> groupInstanceId, String clientId, String clientHost,
                String protocolType, int sessionTimeoutMs, int rebalanceTimeoutMs,
                JoinGroupRequestProtocolCollection protocols) {
        this(memberId, groupInstanceId, clientId, clientHost, protocolType, sessionTimeoutMs, rebalanceTimeoutMs,
                toMap(protocols));
    }

    private GroupMember(String memberId, Optional<String> groupInstanceId, String clientId, String clientHost,
                        String protocolType, int sessionTimeoutMs, int rebalanceTimeoutMs,
                        Map<String, byte[]> protocols) {
        this.memberId = memberId;
        this.groupInstanceId = groupInstanceId;
        this.clientId = clientId;
        this.clientHost = clientHost;
        this.protocolType = protocolType;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.protocols = protocols;
    }

    /**
     * A member of a stored generation, as a coordinator that took the group over continues it: the only protocol it
     * offers is the one the generation selected, with the metadata it was stored with (as Kafka loads a member from
     * its GroupMetadata record), and it holds its stored assignment.
     */
    static GroupMember restored(StoredMember stored, String protocolType, String protocol) {
        Map<String, byte[]> protocols = new LinkedHashMap<>();
        protocols.put(protocol, stored.subscription());
        GroupMember member = new GroupMember(stored.memberId(), stored.groupInstanceId(), stored.clientId(),
                stored.clientHost(), protocolType, stored.sessionTimeoutMs(), stored.rebalanceTimeoutMs(), protocols);
        member.assignment = stored.assignment();
        member.isNew = false;
        return member;
    }

    /** The member as its group's generation stores it: its metadata for {@code protocol}, its assignment. */
    StoredMember stored(String protocol) {
        return new StoredMember(memberId, groupInstanceId, clientId, clientHost, sessionTimeoutMs, rebalanceTimeoutMs,
                metadata(protocol), assignment);
    }

    static Map<String, byte[]> toMap(JoinGroupRequestProtocolCollection protocols) {
        Map<String, byte[]> map = new LinkedHashMap<>();
        protocols.forEach(p -> map.put(p.name(), p.metadata()));
        return map;
    }

    /** True when {@code offered} equals the protocols (names, order and metadata) of the last join. */
    boolean matches(JoinGroupRequestProtocolCollection offered) {
        Map<String, byte[]> other = toMap(offered);
        if (!other.keySet().stream().toList().equals(protocols.keySet().stream().toList())) {
            return false;
        }
        return protocols.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), other.get(e.getKey())));
    }

    /** The metadata the member offered for {@code protocol}, empty if it did not offer it. */
    byte[] metadata(String protocol) {
        byte[] metadata = protocol == null ? null : protocols.get(protocol);
        return metadata == null ? new byte[0] : metadata;
    }

    boolean isAwaitingJoin() {
        return awaitingJoin != null;
    }

    boolean isAwaitingSync() {
        return awaitingSync != null;
    }

    void cancelHeartbeat() {
        if (heartbeatTimer != null) {
            heartbeatTimer.cancel();
            heartbeatTimer = null;
        }
    }
}
