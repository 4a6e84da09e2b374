package io.strata.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.broker.group.CoordinatorSlotsFixture;
import io.strata.broker.group.GroupConfig;
import io.strata.broker.group.GroupCoordinatorContext;
import io.strata.broker.group.MetadataOffsetStorage;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.strata.index.RocksDbIndexStore;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetDeleteRequest;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The group handlers of two brokers over one metadata store (the embedded adapter), the group's coordinator slot
 * led by broker 1: FindCoordinator names the slot's leader, every group API on broker 2 answers NOT_COORDINATOR in
 * the shape its version expects, and after the slot moves the new coordinator serves the offsets committed through
 * the old one, which now answers NOT_COORDINATOR.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GroupHandlersCoordinatorSlotTest {

    private static final String GROUP = "fulfilment";
    private static final String TOPIC = "orders";
    /** Kafka's defaults, but a first rebalance that waits a minute for more members. */
    private static final GroupConfig CONFIG = new GroupConfig(60_000, 6_000, 1_800_000, Integer.MAX_VALUE,
            TimeUnit.DAYS.toMillis(7), 600_000, 4096);

    @TempDir
    Path dir;

    private Vertx vertx;
    private RocksDbIndexStore database;
    private ExecutorService metadataPool;
    private CoordinatorSlotsFixture slots;
    private CoordinatorSlotsFixture.Broker one;
    private CoordinatorSlotsFixture.Broker two;
    private GroupCoordinatorContext groupsOne;
    private GroupCoordinatorContext groupsTwo;

    @BeforeEach
    void twoBrokersWithTheSlotOnBrokerOne() {
        vertx = Vertx.vertx();
        database = RocksDbIndexStore.open(dir.resolve("index"));
        metadataPool = Executors.newSingleThreadExecutor();
        slots = new CoordinatorSlotsFixture(database.metadata(), 4);
        slots.createTopic(TOPIC, 2);
        slots.moveSlotOf(GROUP, 1);
        one = slots.broker(1);
        two = slots.broker(2);
        groupsOne = start(one);
        groupsTwo = start(two);
    }

    private GroupCoordinatorContext start(CoordinatorSlotsFixture.Broker broker) {
        return GroupCoordinatorContext.start(vertx, CONFIG,
                new MetadataOffsetStorage(slots.store(), broker.leases, broker, metadataPool),
                tp -> broker.idOf(tp.topic()).isPresent(), broker.ownership);
    }

    @AfterEach
    void stop() {
        vertx.close().await();
        metadataPool.shutdownNow();
        database.close();
    }

    @SuppressWarnings("unchecked")
    private <R extends AbstractRequest, T extends ApiMessage> T handle(ApiHandler<R> handler, R request) {
        RequestHeader header = new RequestHeader(handler.apiKey(), request.version(), "test-client", 1);
        RequestContext context = new RequestContext(header, "test-connection",
                new InetSocketAddress("127.0.0.1", 50000), vertx.getOrCreateContext());
        try {
            return (T) handler.handle(context, request).toCompletionStage().toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private OffsetCommitResponseData commit(GroupCoordinatorContext groups, long offset) {
        OffsetCommitRequestData data = new OffsetCommitRequestData().setGroupId(GROUP)
                .setGenerationIdOrMemberEpoch(-1).setMemberId("")
                .setTopics(List.of(new OffsetCommitRequestTopic().setName(TOPIC).setPartitions(List.of(
                        new OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(offset)))));
        return handle(new OffsetCommitHandler(groups), OffsetCommitRequest.Builder.forTopicNames(data).build((short) 9));
    }

    private OffsetFetchResponseData fetchV7(GroupCoordinatorContext groups) {
        OffsetFetchRequestData data = new OffsetFetchRequestData().setGroupId(GROUP).setTopics(List.of(
                new OffsetFetchRequestTopic().setName(TOPIC).setPartitionIndexes(List.of(0))));
        return handle(new OffsetFetchHandler(groups), OffsetFetchRequest.Builder.forTopicNames(data, false).build((short) 7));
    }

    private OffsetFetchResponseData fetchV8(GroupCoordinatorContext groups) {
        OffsetFetchRequestData data = new OffsetFetchRequestData().setGroups(List.of(new OffsetFetchRequestGroup()
                .setGroupId(GROUP).setTopics(List.of(new OffsetFetchRequestTopics().setName(TOPIC)
                        .setPartitionIndexes(List.of(0))))));
        return handle(new OffsetFetchHandler(groups), OffsetFetchRequest.Builder.forTopicNames(data, false).build((short) 8));
    }

    @Test
    void findCoordinatorAnswersTheLeaderOfTheGroupsSlotAndCoordinatorNotAvailableWithoutOne() {
        String leaderless = IntStream.range(0, 100).mapToObj(i -> "group-" + i)
                .filter(group -> !slots.slotOf(group).equals(slots.slotOf(GROUP))).findFirst().orElseThrow();
        FindCoordinatorHandler handler = new FindCoordinatorHandler(two);

        FindCoordinatorResponseData batched = handle(handler, new FindCoordinatorRequest.Builder(
                new FindCoordinatorRequestData().setKeyType((byte) 0).setCoordinatorKeys(List.of(GROUP, leaderless)))
                .build((short) 4));
        FindCoordinatorResponseData single = handle(handler, new FindCoordinatorRequest.Builder(
                new FindCoordinatorRequestData().setKey(GROUP)).build((short) 0));

        Coordinator found = batched.coordinators().get(0);
        assertThat(found.errorCode()).isZero();
        assertThat(found.nodeId()).isEqualTo(1);
        assertThat(found.host()).isEqualTo(CoordinatorSlotsFixture.node(1).host());
        assertThat(found.port()).isEqualTo(CoordinatorSlotsFixture.node(1).port());
        assertThat(batched.coordinators().get(1).errorCode()).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE.code());
        assertThat(batched.coordinators().get(1).nodeId()).isEqualTo(-1);
        assertThat(single.errorCode()).isZero();
        assertThat(single.nodeId()).isEqualTo(1);
    }

    @Test
    void everyGroupApiOnABrokerThatDoesNotCoordinateTheGroupAnswersNotCoordinator() {
        short notCoordinator = Errors.NOT_COORDINATOR.code();
        JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestProtocol().setName("range").setMetadata(new byte[0]));

        JoinGroupResponseData join = handle(new JoinGroupHandler(groupsTwo), new JoinGroupRequest.Builder(
                new JoinGroupRequestData().setGroupId(GROUP).setMemberId("").setProtocolType("consumer")
                        .setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(10_000).setProtocols(protocols))
                .build((short) 9));
        SyncGroupResponseData sync = handle(new SyncGroupHandler(groupsTwo), new SyncGroupRequest.Builder(
                new SyncGroupRequestData().setGroupId(GROUP).setMemberId("m").setGenerationId(1)).build((short) 5));
        HeartbeatResponseData heartbeat = handle(new HeartbeatHandler(groupsTwo), new HeartbeatRequest.Builder(
                new HeartbeatRequestData().setGroupId(GROUP).setMemberId("m").setGenerationId(1)).build((short) 4));
        LeaveGroupResponseData leaveV1 = handle(new LeaveGroupHandler(groupsTwo), new LeaveGroupRequest.Builder(GROUP,
                List.of(new MemberIdentity().setMemberId("m"))).build((short) 1));
        LeaveGroupResponseData leaveV5 = handle(new LeaveGroupHandler(groupsTwo), new LeaveGroupRequest.Builder(GROUP,
                List.of(new MemberIdentity().setMemberId("m"))).build((short) 5));
        DescribeGroupsResponseData describe = handle(new DescribeGroupsHandler(groupsTwo),
                new DescribeGroupsRequest.Builder(new DescribeGroupsRequestData().setGroups(List.of(GROUP)))
                        .build((short) 5));
        DeleteGroupsResponseData delete = handle(new DeleteGroupsHandler(groupsTwo), new DeleteGroupsRequest.Builder(
                new DeleteGroupsRequestData().setGroupsNames(List.of(GROUP))).build((short) 2));
        OffsetDeleteResponseData offsetDelete = handle(new OffsetDeleteHandler(groupsTwo),
                new OffsetDeleteRequest.Builder(new OffsetDeleteRequestData().setGroupId(GROUP)).build((short) 0));

        assertThat(join.errorCode()).isEqualTo(notCoordinator);
        assertThat(sync.errorCode()).isEqualTo(notCoordinator);
        assertThat(heartbeat.errorCode()).isEqualTo(notCoordinator);
        assertThat(leaveV1.errorCode()).isEqualTo(notCoordinator);
        assertThat(leaveV5.errorCode()).isEqualTo(notCoordinator);
        assertThat(describe.groups()).singleElement().satisfies(g -> assertThat(g.errorCode()).isEqualTo(notCoordinator));
        assertThat(delete.results()).singleElement().satisfies(g -> assertThat(g.errorCode()).isEqualTo(notCoordinator));
        assertThat(offsetDelete.errorCode()).isEqualTo(notCoordinator);
        assertThat(commit(groupsTwo, 5).topics().get(0).partitions().get(0).errorCode()).isEqualTo(notCoordinator);
        assertThat(fetchV7(groupsTwo).errorCode()).isEqualTo(notCoordinator);
        assertThat(fetchV8(groupsTwo).groups()).singleElement()
                .satisfies(g -> assertThat(g.errorCode()).isEqualTo(notCoordinator));
    }

    @Test
    void aMemberWaitingInJoinGroupIsToldNotCoordinatorSoonAfterTheSlotMovesAway() throws Exception {
        JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestProtocol().setName("range").setMetadata(new byte[0]));
        JoinGroupRequestData data = new JoinGroupRequestData().setGroupId(GROUP).setMemberId("")
                .setProtocolType("consumer").setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(60_000)
                .setProtocols(protocols);
        JoinGroupHandler handler = new JoinGroupHandler(groupsOne);
        JoinGroupResponseData first = handle(handler, new JoinGroupRequest.Builder(data).build((short) 9));
        assertThat(first.errorCode()).isEqualTo(Errors.MEMBER_ID_REQUIRED.code());
        RequestContext context = new RequestContext(new RequestHeader(ApiKeys.JOIN_GROUP, (short) 9, "c", 2),
                "test-connection", new InetSocketAddress("127.0.0.1", 50000), vertx.getOrCreateContext());
        CompletableFuture<ApiMessage> waiting = handler.handle(context,
                new JoinGroupRequest.Builder(data.duplicate().setMemberId(first.memberId())).build((short) 9))
                .toCompletionStage().toCompletableFuture();

        slots.moveSlotOf(GROUP, 2);
        one.refresh();

        JoinGroupResponseData answered = (JoinGroupResponseData) waiting.get(30, TimeUnit.SECONDS);
        assertThat(answered.errorCode()).as("answered long before the minute of the initial rebalance delay")
                .isEqualTo(Errors.NOT_COORDINATOR.code());
    }

    @Test
    void anEmptyGroupIdIsInvalidGroupIdOnEveryBrokerAsKafkaChecksItBeforeTheCoordinator() {
        JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestProtocol().setName("range").setMetadata(new byte[0]));
        JoinGroupRequestData data = new JoinGroupRequestData().setGroupId("").setMemberId("")
                .setProtocolType("consumer").setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(10_000)
                .setProtocols(protocols);

        for (GroupCoordinatorContext groups : List.of(groupsOne, groupsTwo)) {
            JoinGroupResponseData join = handle(new JoinGroupHandler(groups),
                    new JoinGroupRequest.Builder(data).build((short) 9));
            assertThat(join.errorCode()).isEqualTo(Errors.INVALID_GROUP_ID.code());
        }
    }

    @Test
    void offsetsCommittedThroughTheOldCoordinatorAreServedByTheNewOneAfterTheSlotMoves() {
        assertThat(commit(groupsOne, 42).topics().get(0).partitions().get(0).errorCode()).isZero();

        slots.moveSlotOf(GROUP, 2);
        one.refresh();
        two.refresh();

        OffsetFetchResponseData fetched = fetchV8(groupsTwo);
        assertThat(fetched.groups()).singleElement().satisfies(group -> {
            assertThat(group.errorCode()).isZero();
            assertThat(group.topics().get(0).partitions().get(0).committedOffset()).isEqualTo(42);
        });
        assertThat(fetchV7(groupsTwo).topics().get(0).partitions().get(0).committedOffset()).isEqualTo(42);
        assertThat(fetchV7(groupsOne).errorCode()).isEqualTo(Errors.NOT_COORDINATOR.code());
        assertThat(commit(groupsOne, 43).topics().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.NOT_COORDINATOR.code());
        assertThat(commit(groupsTwo, 44).topics().get(0).partitions().get(0).errorCode()).isZero();
    }
}
