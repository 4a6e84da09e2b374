package io.strata.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.index.GroupOffset;
import io.strata.index.RocksDbIndexStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes of one group's offsets apply in the order the coordinator accepted them, whatever order the storage
 * would finish them in: the storage here holds chosen writes back until released, as a slow disk or a busy shared
 * pool would; or the broker's RocksDB storage runs on a pool that runs its queued tasks newest first.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GroupOffsetWriteOrderTest {

    private static final String GROUP = "g";
    private static final GroupConfig CONFIG = new GroupConfig(3_000, 1_000, 60_000, 3, 600_000, 60_000, 16);

    /** Applies each write when it is released (at once unless {@link #holdNextWrite} was called). */
    private static final class HeldOffsetStorage implements OffsetStorage {
        private final InMemoryOffsetStorage offsets = new InMemoryOffsetStorage();
        private final HeldWrites writes = new HeldWrites();

        void holdNextWrite() {
            writes.holdNext();
        }

        /** Applies the write held first. */
        void releaseFirstHeld() {
            writes.releaseFirstHeld();
        }

        private CompletableFuture<Void> write(Runnable apply) {
            return writes.write(apply);
        }

        @Override
        public CompletableFuture<Void> commit(int slotEpoch, List<GroupOffset> committed) {
            return write(() -> offsets.commit(slotEpoch, committed));
        }

        @Override
        public CompletableFuture<List<GroupOffset>> fetch(String group) {
            return offsets.fetch(group);
        }

        @Override
        public CompletableFuture<Void> delete(int slotEpoch, String group, Collection<TopicPartition> partitions) {
            return write(() -> offsets.delete(slotEpoch, group, partitions));
        }

        @Override
        public CompletableFuture<Void> deleteGroup(int slotEpoch, String group) {
            return write(() -> offsets.deleteGroup(slotEpoch, group));
        }

        @Override
        public CompletableFuture<Integer> expire(int slotEpoch, String group, long cutoffMs) {
            return offsets.expire(slotEpoch, group, cutoffMs);
        }

        @Override
        public List<String> groupIds() {
            return offsets.groupIds();
        }
    }

    private final ManualScheduler clock = new ManualScheduler();
    private final HeldOffsetStorage storage = new HeldOffsetStorage();
    private final GroupCoordinator coordinator = new GroupCoordinator(clock, CONFIG, storage,
            tp -> tp.topic().equals("t"), GroupOwnership.everyGroup());

    private CompletableFuture<OffsetCommitResponseData> commit(long offset) {
        return commit(coordinator, offset);
    }

    private static CompletableFuture<OffsetCommitResponseData> commit(GroupCoordinator coordinator, long offset) {
        OffsetCommitRequestData request = new OffsetCommitRequestData().setGroupId(GROUP)
                .setGenerationIdOrMemberEpoch(-1).setMemberId("")
                .setTopics(List.of(new OffsetCommitRequestTopic().setName("t").setPartitions(List.of(
                        new OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(offset)))));
        return coordinator.commitOffsets(request, (short) 9);
    }

    private List<Long> committedOffsets() {
        return coordinator.fetchOffsets(GROUP).join().stream().map(GroupOffset::offset).toList();
    }

    /** A pool that queues its tasks until {@link #runNewestFirst}, then runs them newest first. */
    private static final class ReorderingPool implements Executor {
        private final List<Runnable> queued = new ArrayList<>();

        @Override
        public synchronized void execute(Runnable task) {
            queued.add(task);
        }

        /** Runs what is queued, newest first, until nothing is left (tasks may queue more tasks). */
        void runNewestFirst() {
            while (true) {
                Runnable task;
                synchronized (this) {
                    if (queued.isEmpty()) {
                        return;
                    }
                    task = queued.remove(queued.size() - 1);
                }
                task.run();
            }
        }
    }

    @Test
    void manyCommitsOfOneGroupEndWithTheLastCommittedOffsetInRocksDb(@TempDir Path dir) {
        ReorderingPool pool = new ReorderingPool();
        try (RocksDbIndexStore store = RocksDbIndexStore.open(dir.resolve("rocksdb"))) {
            GroupCoordinator rocksCoordinator = new GroupCoordinator(clock, CONFIG,
                    new RocksDbOffsetStorage(store, pool, group -> { }), tp -> tp.topic().equals("t"),
                    GroupOwnership.everyGroup());
            List<CompletableFuture<OffsetCommitResponseData>> commits = new ArrayList<>();
            for (long offset = 1; offset <= 100; offset++) {
                commits.add(commit(rocksCoordinator, offset));
            }

            pool.runNewestFirst();

            commits.forEach(c -> assertThat(c.join().topics().get(0).partitions().get(0).errorCode()).isZero());
            assertThat(store.groupOffsets().list(GROUP).stream().map(GroupOffset::offset).toList())
                    .as("the offset committed last").containsExactly(100L);
        }
    }

    @Test
    void commitsToAGroupNotYetInMemoryApplyInArrivalOrderWhileTheCoordinatorReadsItsOffsets(@TempDir Path dir) {
        ReorderingPool pool = new ReorderingPool();
        try (RocksDbIndexStore store = RocksDbIndexStore.open(dir.resolve("rocksdb"))) {
            GroupCoordinator rocksCoordinator = new GroupCoordinator(clock, CONFIG,
                    new RocksDbOffsetStorage(store, pool, group -> { }), tp -> tp.topic().equals("t"),
                    GroupOwnership.everyGroup());
            List<CompletableFuture<OffsetCommitResponseData>> commits = new ArrayList<>();
            for (long offset = 1; offset <= 20; offset++) {
                long committed = offset;
                // As GroupCoordinatorContext.callFor does: admitted first (the group's offsets are read), then run
                commits.add(rocksCoordinator.admit(GROUP).thenCompose(error -> commit(rocksCoordinator, committed)));
            }

            pool.runNewestFirst();

            commits.forEach(c -> assertThat(c.join().topics().get(0).partitions().get(0).errorCode()).isZero());
            assertThat(store.groupOffsets().list(GROUP).stream().map(GroupOffset::offset).toList())
                    .as("the offset committed last").containsExactly(20L);
        }
    }

    @Test
    void aLaterCommitOfThePartitionIsNotOverwrittenByAnEarlierSlowerWrite() {
        storage.holdNextWrite();
        CompletableFuture<OffsetCommitResponseData> first = commit(5);
        CompletableFuture<OffsetCommitResponseData> second = commit(10);

        storage.releaseFirstHeld();

        assertThat(first.join().topics().get(0).partitions().get(0).errorCode()).isZero();
        assertThat(second.join().topics().get(0).partitions().get(0).errorCode()).isZero();
        assertThat(committedOffsets()).as("the offset committed last").containsExactly(10L);
    }

    @Test
    void aResetAfterAnOffsetDeleteIsNotUndoneByTheSlowerDelete() {
        commit(5).join();
        storage.holdNextWrite();
        OffsetDeleteRequestTopicCollection topics = new OffsetDeleteRequestTopicCollection();
        topics.add(new OffsetDeleteRequestTopic().setName("t")
                .setPartitions(List.of(new OffsetDeleteRequestPartition().setPartitionIndex(0))));
        CompletableFuture<?> deleted = coordinator.deleteOffsets(new OffsetDeleteRequestData().setGroupId(GROUP)
                .setTopics(topics));
        CompletableFuture<OffsetCommitResponseData> reset = commit(0);

        storage.releaseFirstHeld();

        deleted.join();
        reset.join();
        assertThat(committedOffsets()).as("the reset that came after the delete").containsExactly(0L);
    }

    @Test
    void writesOfDifferentGroupsDoNotWaitForEachOther() {
        storage.holdNextWrite();
        CompletableFuture<OffsetCommitResponseData> slow = commit(5);
        OffsetCommitRequestData other = new OffsetCommitRequestData().setGroupId("other")
                .setGenerationIdOrMemberEpoch(-1).setMemberId("")
                .setTopics(List.of(new OffsetCommitRequestTopic().setName("t").setPartitions(List.of(
                        new OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(7)))));

        assertThat(coordinator.commitOffsets(other, (short) 9)).isDone();
        assertThat(slow).isNotDone();
        storage.releaseFirstHeld();
        assertThat(slow.join().topics().get(0).partitions().get(0).errorCode()).isZero();
    }
}
