package io.strata.metadata;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link MetadataStore} adapter promises, run against each one: registrations and their takeover,
 * the controller lease as a compare-and-set, leadership changes fenced by the controller epoch and the
 * partition's epoch with their history, the committed end fenced by the leader's epoch, and producer-id
 * blocks that never overlap.
 */
public abstract class MetadataStoreContractTest {

    private static final Duration SESSION = Duration.ofSeconds(30);

    protected MetadataStore store;

    /** A store over an empty database of its own. */
    protected abstract MetadataStore newStore();

    @BeforeEach
    void open() {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private static BrokerRegistration broker(int nodeId, String host) {
        return new BrokerRegistration(nodeId, UUID.randomUUID(), "PLAINTEXT://" + host + ":9092", Optional.of("rack-a"));
    }

    // ---- brokers -------------------------------------------------------------------------------------------

    @Test
    void aRegisteredBrokerIsListedAndEachHeartbeatMovesItsCount() {
        BrokerRegistration one = broker(1, "one");
        store.register(one, SESSION);
        store.register(broker(2, "two"), SESSION);

        assertThat(store.heartbeat(1, one.incarnation())).isTrue();
        assertThat(store.heartbeat(1, one.incarnation())).isTrue();

        assertThat(store.brokers()).extracting(BrokerState::nodeId).containsExactly(1, 2);
        BrokerState listed = store.brokers().get(0);
        assertThat(listed.registration()).isEqualTo(one);
        assertThat(listed.heartbeats()).isEqualTo(2);
    }

    @Test
    void aSecondIncarnationOfALiveNodeIdIsRefusedAndNamesTheHolder() {
        BrokerRegistration first = broker(1, "first-host");
        store.register(first, SESSION);

        assertThatThrownBy(() -> store.register(broker(1, "second-host"), SESSION))
                .isInstanceOf(NodeIdInUseException.class)
                .hasMessageContaining("node id 1", "PLAINTEXT://first-host:9092", first.incarnation().toString());
        assertThat(store.heartbeat(1, first.incarnation())).isTrue();
        store.register(first, SESSION); // the same incarnation again: fine
        assertThat(store.brokers()).singleElement().extracting(BrokerState::registration).isEqualTo(first);
    }

    @Test
    void aNodeIdWhoseHolderStoppedRenewingIsTakenOverAndTheOldIncarnationLearnsIt() {
        BrokerRegistration old = broker(1, "old");
        store.register(old, SESSION);
        long before = store.brokers().get(0).heartbeats();

        // Refused until the old incarnation has not renewed for 200 ms, judged by the database's clock
        BrokerRegistration replacement = broker(1, "new");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .ignoreException(NodeIdInUseException.class)
                .until(() -> {
                    store.register(replacement, Duration.ofMillis(200));
                    return true;
                });

        assertThat(store.heartbeat(1, old.incarnation())).as("the old incarnation is told it was replaced").isFalse();
        assertThat(store.brokers()).singleElement().satisfies(state -> {
            assertThat(state.registration()).isEqualTo(replacement);
            assertThat(state.heartbeats()).as("the count moves on a takeover").isGreaterThan(before);
        });
        store.unregister(1, old.incarnation()); // not the holder: nothing
        assertThat(store.brokers()).hasSize(1);
        store.unregister(1, replacement.incarnation());
        assertThat(store.brokers()).isEmpty();
    }

    // ---- controller lease ----------------------------------------------------------------------------------

    @Test
    void theControllerLeaseIsACompareAndSetOnWhatTheClaimantSaw() {
        UUID one = UUID.randomUUID();
        UUID two = UUID.randomUUID();
        assertThat(store.controller()).isEmpty();

        assertThat(store.claimController(1, one, Optional.empty())).hasValue(1);
        assertThat(store.claimController(2, two, Optional.empty())).as("someone holds it already").isEmpty();
        ControllerState seen = store.controller().orElseThrow();
        assertThat(seen).isEqualTo(new ControllerState(1, 1, one, 0));

        // The holder renews: a claim on the stale view fails
        assertThat(store.renewController(1, one, 1)).isTrue();
        assertThat(store.claimController(2, two, Optional.of(seen))).isEmpty();
        assertThat(store.renewController(2, two, 1)).as("not the holder").isFalse();

        // Renewals stop: a claim on the current view wins with the next epoch, and fences the old holder
        ControllerState stalled = store.controller().orElseThrow();
        assertThat(store.claimController(2, two, Optional.of(stalled))).hasValue(2);
        assertThat(store.renewController(1, one, 1)).isFalse();
        assertThat(store.controller()).hasValueSatisfying(state -> {
            assertThat(state.epoch()).isEqualTo(2);
            assertThat(state.nodeId()).isEqualTo(2);
        });
    }

    // ---- topics and leadership -----------------------------------------------------------------------------

    @Test
    void aTopicIsCreatedOnceByNameAndByIdWithLeaderlessPartitions() {
        TopicDefinition orders = new TopicDefinition(UUID.randomUUID(), "orders", 3, Map.of("segment.ms", "60000"));

        assertThat(store.createTopic(orders)).isTrue();
        assertThat(store.createTopic(new TopicDefinition(UUID.randomUUID(), "orders", 1, Map.of()))).isFalse();
        assertThat(store.createTopic(new TopicDefinition(orders.topicId(), "other", 1, Map.of()))).isFalse();

        assertThat(store.topics()).containsExactly(orders);
        assertThat(store.leadership()).hasSize(3).allSatisfy(leadership -> {
            assertThat(leadership.partition().topicId()).isEqualTo(orders.topicId());
            assertThat(leadership.hasLeader()).isFalse();
            assertThat(leadership.leaderEpoch()).isZero();
        });
        assertThat(store.committedEnd(new TopicPartitionId(orders.topicId(), 2))).isZero();
    }

    @Test
    void electingALeaderBumpsTheEpochRecordsWhereItStartsAndIsFencedByBothEpochs() {
        TopicPartitionId tp = new TopicPartitionId(UUID.randomUUID(), 0);
        store.createTopic(new TopicDefinition(tp.topicId(), "orders", 1, Map.of()));
        long controllerEpoch = store.claimController(7, UUID.randomUUID(), Optional.empty()).orElseThrow();

        assertThat(store.electLeader(controllerEpoch, tp, 0, 1)).hasValue(new PartitionLeadership(tp, 1, 1));
        assertThat(store.advanceCommittedEnd(tp, 1, 1, 120)).isTrue();

        // A stale partition epoch or a stale controller epoch decides nothing
        assertThat(store.electLeader(controllerEpoch, tp, 0, 2)).isEmpty();
        assertThat(store.electLeader(controllerEpoch + 1, tp, 1, 2)).isEmpty();
        assertThat(store.leadership()).singleElement().isEqualTo(new PartitionLeadership(tp, 1, 1));

        // A move: the new epoch starts at the committed end
        assertThat(store.electLeader(controllerEpoch, tp, 1, 2)).hasValue(new PartitionLeadership(tp, 2, 2));
        assertThat(store.epochHistory(tp)).containsExactly(new EpochStart(1, 0), new EpochStart(2, 120));
    }

    @Test
    void theCommittedEndMovesOnlyForwardAndOnlyForTheLeaderAtItsEpoch() {
        TopicPartitionId tp = new TopicPartitionId(UUID.randomUUID(), 0);
        store.createTopic(new TopicDefinition(tp.topicId(), "orders", 1, Map.of()));
        long controllerEpoch = store.claimController(7, UUID.randomUUID(), Optional.empty()).orElseThrow();
        store.electLeader(controllerEpoch, tp, 0, 1);

        assertThat(store.advanceCommittedEnd(tp, 1, 1, 100)).isTrue();
        assertThat(store.advanceCommittedEnd(tp, 1, 1, 100)).as("the same end again (a retried commit)").isTrue();
        assertThat(store.advanceCommittedEnd(tp, 1, 1, 50)).as("backwards").isFalse();
        assertThat(store.advanceCommittedEnd(tp, 2, 1, 150)).as("not the leader").isFalse();
        assertThat(store.advanceCommittedEnd(tp, 1, 0, 150)).as("a stale epoch").isFalse();
        assertThat(store.committedEnd(tp)).isEqualTo(100);

        store.electLeader(controllerEpoch, tp, 1, 2);
        assertThat(store.advanceCommittedEnd(tp, 1, 1, 200)).as("the old leader, after the move").isFalse();
        assertThat(store.advanceCommittedEnd(tp, 2, 2, 200)).isTrue();
    }

    // ---- committed offsets ---------------------------------------------------------------------------------

    @Test
    void offsetsAreCommittedOnlyByTheLeaderOfTheGroupsSlotAtItsEpochAndSurviveItsMove() {
        TopicPartitionId slot = new TopicPartitionId(UUID.randomUUID(), 7);
        store.createTopic(new TopicDefinition(slot.topicId(), "__consumer_offsets", 8, Map.of()));
        TopicPartitionId orders0 = new TopicPartitionId(UUID.randomUUID(), 0);
        TopicPartitionId orders1 = new TopicPartitionId(orders0.topicId(), 1);
        long controller = store.claimController(1, UUID.randomUUID(), Optional.empty()).orElseThrow();
        store.electLeader(controller, slot, 0, 1);
        String group = "billing/eu team"; // any string is a group id

        assertThat(store.commitOffsets(slot, 1, 1, List.of(
                new CommittedOffset(group, orders1, 40, 3, "m1", 1000),
                new CommittedOffset(group, orders0, 10, 3, "", 1000)))).isTrue();
        assertThat(store.commitOffsets(slot, 1, 1, List.of(new CommittedOffset(group, orders0, 12, 4, "m2", 2000))))
                .isTrue();
        assertThat(store.commitOffsets(slot, 2, 1, List.of(new CommittedOffset(group, orders0, 99, 4, "", 3000))))
                .as("not the slot's leader").isFalse();
        assertThat(store.committedOffsets(group)).containsExactly(
                new CommittedOffset(group, orders0, 12, 4, "m2", 2000),
                new CommittedOffset(group, orders1, 40, 3, "m1", 1000));
        assertThat(store.committedOffsets("other")).isEmpty();

        // The slot moves: the old coordinator is fenced, the new one sees every offset and commits on
        store.electLeader(controller, slot, 1, 2);
        assertThat(store.commitOffsets(slot, 1, 1, List.of(new CommittedOffset(group, orders0, 13, 4, "", 4000))))
                .isFalse();
        assertThat(store.committedOffsets(group)).hasSize(2);
        assertThat(store.commitOffsets(slot, 2, 2, List.of(new CommittedOffset(group, orders0, 14, 4, "", 5000))))
                .isTrue();

        assertThat(store.deleteOffsets(slot, 1, 1, group, List.of())).as("fenced").isFalse();
        assertThat(store.deleteOffsets(slot, 2, 2, group, List.of(orders1))).isTrue();
        assertThat(store.committedOffsets(group)).extracting(CommittedOffset::partition).containsExactly(orders0);
        assertThat(store.deleteOffsets(slot, 2, 2, group, List.of())).isTrue();
        assertThat(store.committedOffsets(group)).isEmpty();
    }

    // ---- producer ids --------------------------------------------------------------------------------------

    @Test
    void producerIdBlocksNeverOverlapEvenWhenReservedConcurrently() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<Long>> firsts = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                firsts.add(threads.submit(() -> store.allocateProducerIds(1000)));
            }
            Set<Long> blocks = new HashSet<>();
            for (Future<Long> first : firsts) {
                long start = first.get();
                assertThat(start % 1000).isZero();
                assertThat(blocks.add(start)).as("block %d handed out twice", start).isTrue();
            }
            assertThat(blocks).hasSize(40);
            assertThat(store.allocateProducerIds(1)).isEqualTo(40_000);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aClaimWhoseReplyWasLostIsFoundByReReading() {
        UUID me = UUID.randomUUID();
        OptionalLong epoch = store.claimController(3, me, Optional.empty());
        // The caller re-reads after any error: the lease shows whether its claim landed
        assertThat(store.controller()).hasValueSatisfying(state -> {
            assertThat(state.incarnation()).isEqualTo(me);
            assertThat(state.epoch()).isEqualTo(epoch.orElseThrow());
        });
    }
}
