package io.strata.broker.compat;

import io.strata.broker.network.RawKafkaClient;
import io.strata.broker.network.WireFormat;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Simple, valid requests of every consumer-group API for {@link OlderRequestVersionsTest}: each one is expected to
 * be answered without error. Requests that need a member (SyncGroup, Heartbeat, LeaveGroup) first join a fresh group
 * with a raw JoinGroup as a static member; requests that need an existing group commit an offset first. Needs a broker
 * with {@code group.initial.rebalance.delay.ms=0}.
 */
final class GroupRequests {

    private static final AtomicInteger GROUPS = new AtomicInteger();
    private static final AtomicInteger CORRELATION = new AtomicInteger(1_000_000);

    private final String bootstrap;
    private final int port;
    private final String topic;

    GroupRequests(String bootstrap, int port, String topic) {
        this.bootstrap = bootstrap;
        this.port = port;
        this.topic = topic;
    }

    static boolean isGroupApi(ApiKeys key) {
        return switch (key) {
            case FIND_COORDINATOR, JOIN_GROUP, SYNC_GROUP, HEARTBEAT, LEAVE_GROUP, OFFSET_COMMIT, OFFSET_FETCH,
                 LIST_GROUPS, DESCRIBE_GROUPS, DELETE_GROUPS, OFFSET_DELETE -> true;
            default -> false;
        };
    }

    ApiMessage request(ApiKeys key, short version) throws Exception {
        String group = "versions-" + key.name().toLowerCase() + "-v" + version + "-" + GROUPS.incrementAndGet();
        return switch (key) {
            case FIND_COORDINATOR -> version >= 4
                    ? new FindCoordinatorRequestData().setKeyType((byte) 0).setCoordinatorKeys(List.of(group))
                    : new FindCoordinatorRequestData().setKey(group);
            case JOIN_GROUP -> join(group, version);
            case SYNC_GROUP -> {
                JoinGroupResponseData joined = joinedMember(group);
                SyncGroupRequestData sync = new SyncGroupRequestData().setGroupId(group)
                        .setGenerationId(joined.generationId()).setMemberId(joined.memberId())
                        .setAssignments(List.of(new SyncGroupRequestAssignment().setMemberId(joined.memberId())
                                .setAssignment(new byte[0])));
                yield version >= 5 ? sync.setProtocolType("consumer").setProtocolName("range") : sync;
            }
            case HEARTBEAT -> {
                JoinGroupResponseData joined = joinedMember(group);
                yield new HeartbeatRequestData().setGroupId(group).setGenerationId(joined.generationId())
                        .setMemberId(joined.memberId());
            }
            case LEAVE_GROUP -> {
                JoinGroupResponseData joined = joinedMember(group);
                LeaveGroupRequestData leave = new LeaveGroupRequestData().setGroupId(group);
                yield version >= 3
                        ? leave.setMembers(List.of(new MemberIdentity().setMemberId(joined.memberId())))
                        : leave.setMemberId(joined.memberId());
            }
            case OFFSET_COMMIT -> new OffsetCommitRequestData().setGroupId(group).setGenerationIdOrMemberEpoch(-1)
                    .setMemberId("").setTopics(List.of(new OffsetCommitRequestTopic().setName(topic)
                            .setPartitions(List.of(new OffsetCommitRequestPartition().setPartitionIndex(0)
                                    .setCommittedOffset(1).setCommittedMetadata("v" + version)))));
            case OFFSET_FETCH -> version >= 8
                    ? new OffsetFetchRequestData().setGroups(List.of(new OffsetFetchRequestGroup().setGroupId(group)
                            .setTopics(List.of(new OffsetFetchRequestTopics().setName(topic)
                                    .setPartitionIndexes(List.of(0))))))
                    : new OffsetFetchRequestData().setGroupId(group).setTopics(List.of(new OffsetFetchRequestTopic()
                            .setName(topic).setPartitionIndexes(List.of(0))));
            case LIST_GROUPS -> new ListGroupsRequestData();
            case DESCRIBE_GROUPS -> {
                commit(group);
                yield new DescribeGroupsRequestData().setGroups(List.of(group));
            }
            case DELETE_GROUPS -> {
                commit(group);
                yield new DeleteGroupsRequestData().setGroupsNames(List.of(group));
            }
            case OFFSET_DELETE -> {
                commit(group);
                OffsetDeleteRequestTopicCollection topics = new OffsetDeleteRequestTopicCollection();
                topics.add(new OffsetDeleteRequestTopic().setName(topic)
                        .setPartitions(List.of(new OffsetDeleteRequestPartition().setPartitionIndex(0))));
                yield new OffsetDeleteRequestData().setGroupId(group).setTopics(topics);
            }
            default -> throw new IllegalArgumentException(key + " is not a group API");
        };
    }

    private static JoinGroupRequestData join(String group, short version) {
        JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestProtocol().setName("range").setMetadata(new byte[] {0, 1, 2}));
        JoinGroupRequestData join = new JoinGroupRequestData().setGroupId(group).setSessionTimeoutMs(30_000)
                .setRebalanceTimeoutMs(30_000).setMemberId("").setProtocolType("consumer").setProtocols(protocols);
        // A static member gets its member id at once, without MEMBER_ID_REQUIRED
        return version >= 5 ? join.setGroupInstanceId("instance-" + group) : join;
    }

    /** A member of a fresh group, joined with JoinGroup v5 (the group is then CompletingRebalance). */
    private JoinGroupResponseData joinedMember(String group) throws Exception {
        short version = 5;
        try (RawKafkaClient client = new RawKafkaClient(port)) {
            int correlationId = CORRELATION.getAndIncrement();
            ByteBuffer body = WireFormat.serialize(join(group, version), version);
            byte[] bytes = new byte[body.remaining()];
            body.get(bytes);
            client.sendBytes(WireFormat.withSizePrefix(WireFormat.rawFrame(ApiKeys.JOIN_GROUP.id, version,
                    ApiKeys.JOIN_GROUP.requestHeaderVersion(version), correlationId, bytes)));
            RequestHeader header = WireFormat.header(ApiKeys.JOIN_GROUP, version, correlationId);
            JoinGroupResponse response = (JoinGroupResponse) client.receive(header);
            if (response.error() != Errors.NONE) {
                throw new AssertionError("JoinGroup failed: " + response.data());
            }
            return response.data();
        }
    }

    private void commit(String group) throws Exception {
        try (Admin admin = Clients.admin(bootstrap)) {
            admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(0)))
                    .all().get();
        }
    }
}
