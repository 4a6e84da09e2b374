package io.strata.broker.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.index.GroupOffset;
import io.strata.metadata.MetadataStore;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link MetadataOffsetStorage} over a real {@link MetadataStore} adapter (each subclass names one): offsets keyed
 * by topic id in the store, names in and out, every write fenced by the epoch of this broker's lease on the group's
 * coordinator slot, and nothing stored by a fenced write.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class MetadataOffsetStorageContractTest {

    protected static final String GROUP = "payments";
    private static final long NOW = 1_700_000_000_000L;

    /** Runs the storage's database calls only when told to: shows they never run on the caller's thread. */
    private static final class HeldExecutor implements Executor {
        private final Queue<Runnable> tasks = new ArrayDeque<>();

        @Override
        public synchronized void execute(Runnable task) {
            tasks.add(task);
        }

        synchronized void runAll() {
            while (!tasks.isEmpty()) {
                tasks.poll().run();
            }
        }
    }

    protected MetadataStore store;
    private CoordinatorSlotsFixture slots;
    private CoordinatorSlotsFixture.Broker one;
    private CoordinatorSlotsFixture.Broker two;
    /** Broker 1's storage; broker 1 leads the slot of {@link #GROUP}, which has topic "orders" (2 partitions). */
    protected MetadataOffsetStorage onOne;
    /** The epoch at which broker 1 leads the slot of {@link #GROUP}. */
    protected int epochOne;
    private MetadataOffsetStorage onTwo;

    protected abstract MetadataStore newStore();

    @BeforeEach
    void createSlotsAndTopics() {
        store = newStore();
        slots = new CoordinatorSlotsFixture(store, 8);
        slots.createTopic("orders", 2);
        epochOne = slots.moveSlotOf(GROUP, 1);
        one = slots.broker(1);
        two = slots.broker(2);
        onOne = new MetadataOffsetStorage(store, one.leases, one, Runnable::run);
        onTwo = new MetadataOffsetStorage(store, two.leases, two, Runnable::run);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    protected static GroupOffset offset(String topic, int partition, long offset) {
        return new GroupOffset(GROUP, topic, partition, offset, OptionalInt.of(3), Optional.of("meta-" + offset),
                NOW + offset);
    }

    private static List<Long> offsets(MetadataOffsetStorage storage) {
        return storage.fetch(GROUP).join().stream().map(GroupOffset::offset).toList();
    }

    private static Errors failure(CompletableFuture<?> write) {
        assertThatThrownBy(write::join).isInstanceOf(CompletionException.class);
        return OffsetStorage.errorOf(write.handle((value, failure) -> failure).join());
    }

    @Test
    void committedOffsetsComeBackByTopicNameWithEpochMetadataAndTime() {
        onOne.commit(epochOne, List.of(offset("orders", 0, 10), offset("orders", 1, 20))).join();

        assertThat(onOne.fetch(GROUP).join()).containsExactly(offset("orders", 0, 10), offset("orders", 1, 20));
        assertThat(onOne.fetch("another-group").join()).isEmpty();
    }

    @Test
    void aCommitWithAStaleSlotEpochIsRefusedWithNotCoordinatorAndStoresNothing() {
        onOne.commit(epochOne, List.of(offset("orders", 0, 10))).join();

        slots.moveSlotOf(GROUP, 2);
        // Broker 1 has not learned of the move yet: it still writes with its old lease, and the database fences it
        assertThat(one.leases.leaseFor(GROUP)).isPresent();
        CompletableFuture<Void> stale = onOne.commit(epochOne, List.of(offset("orders", 0, 11), offset("orders", 1, 21)));

        assertThat(failure(stale)).isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(offsets(onOne)).as("nothing of the fenced commit").containsExactly(10L);
    }

    @Test
    void theNewCoordinatorReadsEveryOffsetTheOldOneCommittedAndCommitsAtItsEpoch() {
        onOne.commit(epochOne, List.of(offset("orders", 0, 10), offset("orders", 1, 20))).join();

        int epochTwo = slots.moveSlotOf(GROUP, 2);
        two.refresh();

        assertThat(offsets(onTwo)).containsExactly(10L, 20L);
        onTwo.commit(epochTwo, List.of(offset("orders", 0, 12))).join();
        assertThat(offsets(onTwo)).containsExactly(12L, 20L);
    }

    @Test
    void aWriteDecidedAtAnOlderSlotEpochIsRefusedEvenWhenThisBrokerLeadsTheSlotAgain() {
        onOne.commit(epochOne, List.of(offset("orders", 0, 10))).join();
        slots.moveSlotOf(GROUP, 2);
        int again = slots.moveSlotOf(GROUP, 1);
        one.refresh();

        assertThat(failure(onOne.commit(epochOne, List.of(offset("orders", 0, 11)))))
                .isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(failure(onOne.deleteGroup(epochOne, GROUP))).isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(offsets(onOne)).containsExactly(10L);
        onOne.commit(again, List.of(offset("orders", 0, 12))).join();
        assertThat(offsets(onOne)).containsExactly(12L);
    }

    @Test
    void aBrokerWithoutALeaseOnTheSlotGetsNotCoordinatorWithoutAskingTheDatabase() {
        assertThat(two.leases.leaseFor(GROUP)).isEmpty();

        assertThat(failure(onTwo.commit(epochOne, List.of(offset("orders", 0, 10))))).isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(failure(onTwo.deleteGroup(epochOne, GROUP))).isEqualTo(Errors.NOT_COORDINATOR);
    }

    @Test
    void deletesAndExpiryAreFencedLikeCommits() {
        onOne.commit(epochOne, List.of(offset("orders", 0, 10), offset("orders", 1, 20))).join();
        slots.moveSlotOf(GROUP, 2);

        assertThat(failure(onOne.delete(epochOne, GROUP, List.of(new TopicPartition("orders", 0)))))
                .isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(failure(onOne.deleteGroup(epochOne, GROUP))).isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(failure(onOne.expire(epochOne, GROUP, Long.MAX_VALUE))).isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(offsets(onOne)).containsExactly(10L, 20L);
    }

    @Test
    void theCoordinatorDeletesPartitionsExpiresOldOffsetsAndDeletesTheGroup() {
        slots.createTopic("refunds", 1);
        onOne.commit(epochOne, List.of(offset("orders", 0, 10), offset("orders", 1, 20), offset("refunds", 0, 30))).join();

        onOne.delete(epochOne, GROUP, List.of(new TopicPartition("orders", 1), new TopicPartition("no-such-topic", 0))).join();
        assertThat(offsets(onOne)).containsExactlyInAnyOrder(10L, 30L);

        assertThat(onOne.expire(epochOne, GROUP, NOW + 10).join()).as("offsets left").isEqualTo(1);
        assertThat(offsets(onOne)).containsExactly(30L);

        onOne.deleteGroup(epochOne, GROUP).join();
        assertThat(offsets(onOne)).isEmpty();
    }

    @Test
    void aCommitForATopicThatDoesNotExistIsUnknownTopicOrPartitionAndStoresNothing() {
        CompletableFuture<Void> commit = onOne.commit(epochOne, List.of(offset("orders", 0, 10), offset("gone", 0, 5)));

        assertThatThrownBy(commit::join).hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
        assertThat(offsets(onOne)).isEmpty();
    }

    @Test
    void databaseCallsRunOnTheGivenPoolNotOnTheCallersThread() {
        HeldExecutor pool = new HeldExecutor();
        MetadataOffsetStorage held = new MetadataOffsetStorage(store, one.leases, one, pool);

        CompletableFuture<Void> commit = held.commit(epochOne, List.of(offset("orders", 0, 10)));
        CompletableFuture<List<GroupOffset>> fetch = held.fetch(GROUP);

        assertThat(commit).isNotDone();
        assertThat(fetch).isNotDone();
        pool.runAll();
        commit.join();
        assertThat(fetch.join()).hasSize(1);
    }

    @Test
    void groupIdsIsEmptyBecauseTheStoreCannotListGroups() {
        onOne.commit(epochOne, List.of(offset("orders", 0, 10))).join();

        assertThat(onOne.groupIds()).isEmpty();
    }

    @Test
    void aFencedWriteFailsWithNotCoordinatorException() {
        slots.moveSlotOf(GROUP, 2);
        CompletableFuture<Void> stale = onOne.commit(epochOne, List.of(offset("orders", 0, 11)));

        assertThatThrownBy(stale::join).hasCauseInstanceOf(NotCoordinatorException.class)
                .hasMessageContaining("no longer led by broker 1");
    }
}
