package io.strata.tiering.log;

import static io.strata.tiering.log.LogHarness.config;
import static io.strata.tiering.testing.RecordBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.tiering.testing.RecordBatches;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.FileRecords.TimestampAndOffset;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.Test;

/**
 * A partition log with a write-ahead log attached ({@link PartitionLog#attachWal}): its high watermark is the
 * committed end, reads, uploads and offset look-ups stop there, acks=all waits for it, and replayed WAL ranges
 * rebuild a log. The WAL is a {@link RecordingSink} whose commits and failures the test reports by hand.
 */
class PartitionLogWalTest extends LogHarnessTest {

    private static final long PID = 31;

    final RecordingSink sink = new RecordingSink();

    /** What the log handed to the WAL. */
    record Handed(int leaderEpoch, long baseOffset, long endOffset, int bytes, List<Long> batchBaseOffsets) {
    }

    static final class RecordingSink implements WalSink {
        final List<Handed> handed = new CopyOnWriteArrayList<>();
        volatile RuntimeException refusal;
        volatile long tailMaxBytes = Long.MAX_VALUE;
        volatile long tailMaxMs = Long.MAX_VALUE;

        @Override
        public long tailMaxBytes() {
            return tailMaxBytes;
        }

        @Override
        public long tailMaxMs() {
            return tailMaxMs;
        }

        @Override
        public void checkAdmits(PartitionLog log) {
            if (refusal != null) {
                throw refusal;
            }
        }

        @Override
        public void appended(PartitionLog log, int leaderEpoch, long baseOffset, long endOffset, ByteBuffer bytes,
                             List<? extends RecordBatch> batches) {
            handed.add(new Handed(leaderEpoch, baseOffset, endOffset, bytes.remaining(),
                    batches.stream().map(RecordBatch::baseOffset).toList()));
        }
    }

    /** A log holding {@code committed} records (appended without a WAL), then attached to {@link #sink}. */
    private PartitionLog attached(int leaderEpoch, int committed) {
        PartitionLog log = harness.open(config());
        log.setLeaderEpoch(leaderEpoch);
        if (committed > 0) {
            log.append(batch().records(committed).build());
        }
        log.attachWal(sink);
        return log;
    }

    private MemoryRecords records(int count) {
        return batch().records(count).timestamp(harness.clock.millis()).build();
    }

    private static MemoryRecords idempotent(int firstSequence, int count) {
        return batch().producer(PID, (short) 0, firstSequence).records(count).build();
    }

    /** Every record offset readable from the log start. */
    private static List<Long> readableOffsets(PartitionLog log) {
        List<Long> offsets = new ArrayList<>();
        long next = log.logStartOffset();
        while (next < log.highWatermark()) {
            MemoryRecords records = log.read(next, 1 << 20, true).memoryRecords();
            long before = next;
            for (RecordBatch b : records.batches()) {
                for (Record r : b) {
                    if (r.offset() >= next) {
                        offsets.add(r.offset());
                    }
                }
                next = Math.max(next, b.nextOffset());
            }
            assertThat(next).as("a read at %d progresses", before).isGreaterThan(before);
        }
        return offsets;
    }

    private static Throwable failureOf(CompletableFuture<?> future) throws Exception {
        try {
            future.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("the future completed without failing");
    }

    // ---- the WAL tail is bounded: segments roll by the WAL's limits (rule 11) -----------------------------------

    @Test
    void aSegmentRollsOnceItHoldsMoreThanTheWalTailMayHold() {
        sink.tailMaxBytes = 2_000; // far below segment.bytes
        PartitionLog log = attached(1, 0);

        for (int i = 0; i < 10; i++) {
            log.append(batch().records(1).valueSize(500).build());
        }

        assertThat(log.segmentRecords()).as("segments of at most about 2,000 bytes").hasSizeGreaterThan(3)
                .allSatisfy(segment -> assertThat(segment.sizeBytes()).isLessThanOrEqualTo(2_000));
    }

    @Test
    void aSegmentRollsOnceItIsOlderThanTheWalTailMayBe() {
        sink.tailMaxMs = 60_000; // far below segment.ms
        PartitionLog log = attached(1, 0);
        log.append(records(1));
        harness.clock.advance(java.time.Duration.ofSeconds(61));

        log.maybeRollByTime();

        assertThat(log.segmentRecords()).hasSize(2);
        assertThat(log.sealedSegments()).singleElement().satisfies(s -> assertThat(s.nextOffset()).isEqualTo(1));
    }

    // ---- the high watermark is the committed end ------------------------------------------------------------------

    @Test
    void highWatermarkStaysAtTheAttachPointUntilTheWalCommits() {
        PartitionLog log = attached(2, 3);
        assertThat(log.committedOnAppend()).isFalse();

        log.append(records(2));
        log.append(records(3));

        assertThat(log.logEndOffset()).isEqualTo(8);
        assertThat(log.highWatermark()).isEqualTo(3);
        assertThat(sink.handed).extracting(Handed::leaderEpoch, Handed::baseOffset, Handed::endOffset)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(2, 3L, 5L),
                        org.assertj.core.groups.Tuple.tuple(2, 5L, 8L));
        log.onCommitted(5);
        assertThat(log.highWatermark()).isEqualTo(5);
        log.onCommitted(8);
        assertThat(log.highWatermark()).isEqualTo(8);
    }

    @Test
    void withoutAWalEveryAppendIsCommittedAtOnce() {
        PartitionLog log = harness.open(config());

        log.append(records(4));

        assertThat(log.committedOnAppend()).isTrue();
        assertThat(log.highWatermark()).isEqualTo(log.logEndOffset()).isEqualTo(4);
        assertThat(log.awaitCommitted(4)).isCompleted();
    }

    @Test
    void readsReturnNothingAboveTheHighWatermark() throws Exception {
        PartitionLog log = attached(0, 3);
        log.append(records(4));

        assertThat(readableOffsets(log)).containsExactly(0L, 1L, 2L);
        FetchResult atTheMark = log.read(3, 1 << 20, true);
        assertThat(atTheMark.memoryRecords().sizeInBytes()).isZero();
        assertThat(atTheMark.highWatermark()).isEqualTo(3);
        assertThat(log.readAsync(0, 1 << 20, true).get(10, TimeUnit.SECONDS).highWatermark()).isEqualTo(3);

        log.onCommitted(7);
        assertThat(readableOffsets(log)).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
    }

    @Test
    void timestampLookUpsNeverNameARecordAboveTheHighWatermark() {
        PartitionLog log = attached(0, 0);
        long committedTime = harness.clock.millis() - 60_000;
        long uncommittedTime = harness.clock.millis();
        log.append(batch().records(2).timestamp(committedTime).build());
        log.onCommitted(2);

        log.append(batch().records(2).timestamp(uncommittedTime).build());

        assertThat(log.offsetForTimestamp(uncommittedTime)).isEmpty();
        assertThat(log.offsetForTimestamp(committedTime).map(t -> t.offset)).contains(0L);
        assertThat(log.maxTimestampOffset()).as("ListOffsets MAX_TIMESTAMP names no uncommitted record").isEmpty();
        log.onCommitted(4);
        assertThat(log.maxTimestampOffset()).map(t -> t.offset).contains(3L);
        assertThat(log.offsetForTimestamp(uncommittedTime)).map(t -> t.offset).contains(2L);
    }

    @Test
    void logStartOffsetNeverPassesTheHighWatermark() {
        PartitionLog log = attached(0, 3);
        log.append(records(5));

        log.advanceLogStartOffset(8);

        assertThat(log.logStartOffset()).isEqualTo(3);
        assertThat(log.read(3, 1 << 20, true).memoryRecords().sizeInBytes()).isZero();
    }

    @Test
    void commitListenerIsToldWhenTheWalCommitsNewOffsets() {
        PartitionLog log = attached(0, 0);
        List<Integer> told = new CopyOnWriteArrayList<>();
        log.onCommit((committed, bytes) -> told.add(bytes));
        MemoryRecords appended = records(3);
        int size = appended.sizeInBytes();
        log.append(appended);

        log.onCommitted(3);
        log.onCommitted(3); // nothing new

        assertThat(told).containsExactly(size);
    }

    // ---- acks=all waits for the commit ----------------------------------------------------------------------------

    @Test
    void awaitCommittedCompletesWhenTheWalCommitsThatFar() {
        PartitionLog log = attached(0, 0);
        log.append(records(3));
        log.append(records(2));
        CompletableFuture<Void> first = log.awaitCommitted(3);
        CompletableFuture<Void> second = log.awaitCommitted(5);

        log.onCommitted(3);

        assertThat(first).isCompleted();
        assertThat(second).isNotDone();
        log.onCommitted(5);
        assertThat(second).isCompleted();
        assertThat(log.awaitCommitted(5)).isCompleted();
    }

    @Test
    void aFailedCommitFailsWaitingRequestsAndRefusesFurtherAppends() throws Exception {
        PartitionLog log = attached(4, 2);
        log.append(records(3));
        CompletableFuture<Void> waiting = log.awaitCommitted(5);
        NotLeaderOrFollowerException cause = new NotLeaderOrFollowerException("fenced at epoch 4");

        log.onCommitFailed(2, 4, cause);

        assertThat(failureOf(waiting)).isSameAs(cause);
        assertThat(failureOf(log.awaitCommitted(5))).isSameAs(cause);
        assertThatThrownBy(() -> log.append(records(1))).isInstanceOf(NotLeaderOrFollowerException.class)
                .hasMessageContaining("fenced at epoch 4");
        assertThat(log.logEndOffset()).isEqualTo(5);
        assertThat(log.highWatermark()).isEqualTo(2);
        assertThat(sink.handed).hasSize(1);
        assertThat(log.awaitCommitted(2)).as("what was committed stays committed").isCompleted();
    }

    @Test
    void aFailureReportedForAnOlderEpochThanTheAttachedOneIsIgnored() {
        PartitionLog log = attached(6, 0);
        log.append(records(3));
        CompletableFuture<Void> waiting = log.awaitCommitted(3);

        log.onCommitFailed(0, 5, new NotLeaderOrFollowerException("a late report about epoch 5"));

        assertThat(waiting).isNotDone();
        log.append(records(1));
        log.onCommitted(4);
        assertThat(waiting).isCompleted();
        assertThat(log.highWatermark()).isEqualTo(4);
    }

    @Test
    void anAppendTheWalRefusesIsNotWritten() {
        PartitionLog log = attached(0, 2);
        sink.refusal = new NotEnoughReplicasException("WAL buffer full");

        assertThatThrownBy(() -> log.append(records(3))).isInstanceOf(NotEnoughReplicasException.class);

        assertThat(log.logEndOffset()).isEqualTo(2);
        assertThat(sink.handed).isEmpty();
        sink.refusal = null;
        assertThat(log.append(records(1)).firstOffset()).isEqualTo(2);
    }

    @Test
    void closeFailsRequestsWaitingForACommit() throws Exception {
        PartitionLog log = attached(0, 0);
        log.append(records(3));
        CompletableFuture<Void> waiting = log.awaitCommitted(3);

        log.close();

        assertThat(failureOf(waiting)).isInstanceOf(NotLeaderOrFollowerException.class);
    }

    // ---- idempotent retries (CLUSTER.md rule 4) -------------------------------------------------------------------

    @Test
    void aRetryOfAnUncommittedBatchGetsItsOriginalOffsetsAndWaitsForTheOriginalsCommit() {
        PartitionLog log = attached(0, 2);
        AppendResult original = log.append(idempotent(0, 3));

        AppendResult retry = log.append(idempotent(0, 3));

        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isEqualTo(original.firstOffset()).isEqualTo(2);
        assertThat(retry.lastOffset()).isEqualTo(original.lastOffset()).isEqualTo(4);
        assertThat(sink.handed).as("a duplicate goes to the WAL once").hasSize(1);
        CompletableFuture<Void> retryAcked = log.awaitCommitted(retry.lastOffset() + 1);
        assertThat(retryAcked).isNotDone();
        log.onCommitted(5);
        assertThat(retryAcked).isCompleted();
    }

    @Test
    void aRetryOfABatchWhoseCommitFailedFailsToo() throws Exception {
        PartitionLog log = attached(1, 0);
        log.append(idempotent(0, 3));
        log.onCommitFailed(0, 1, new NotLeaderOrFollowerException("fenced"));

        AppendResult retry = log.append(idempotent(0, 3));

        assertThat(retry.duplicate()).isTrue();
        assertThat(failureOf(log.awaitCommitted(retry.lastOffset() + 1)))
                .isInstanceOf(NotLeaderOrFollowerException.class);
    }

    // ---- replay of committed WAL ranges ---------------------------------------------------------------------------

    /** Batches back to back at offsets from {@code base}, {@code counts[i]} records each, stamped at epoch 3. */
    private static MemoryRecords committedBatches(long base, int... counts) {
        List<MemoryRecords> parts = new ArrayList<>();
        long offset = base;
        for (int count : counts) {
            MemoryRecords records = batch().records(count).producer(PID, (short) 0, (int) offset).build();
            for (MutableRecordBatch b : records.batches()) {
                b.setLastOffset(offset + count - 1);
                b.setPartitionLeaderEpoch(3);
            }
            parts.add(records);
            offset += count;
        }
        return RecordBatches.concat(parts.toArray(MemoryRecords[]::new));
    }

    @Test
    void replayedBatchesKeepTheirOffsetsAndCountAsCommitted() {
        PartitionLog log = harness.open(config());

        log.appendReplayed(committedBatches(0, 3, 2));

        assertThat(log.logEndOffset()).isEqualTo(5);
        assertThat(log.highWatermark()).isEqualTo(5);
        assertThat(readableOffsets(log)).containsExactly(0L, 1L, 2L, 3L, 4L);
        MemoryRecords read = log.read(0, 1 << 20, true).memoryRecords();
        read.batches().forEach(b -> assertThat(b.partitionLeaderEpoch()).isEqualTo(3));
    }

    @Test
    void replaySkipsBatchesBelowTheLogEnd() {
        PartitionLog log = harness.open(config());
        log.appendReplayed(committedBatches(0, 3, 2));

        log.appendReplayed(committedBatches(0, 3, 2, 4));

        assertThat(log.logEndOffset()).isEqualTo(9);
        assertThat(readableOffsets(log)).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
    }

    @Test
    void replayRefusesAGapOrABatchStraddlingTheLogEnd() {
        PartitionLog log = harness.open(config());
        log.appendReplayed(committedBatches(0, 3));

        assertThatThrownBy(() -> log.appendReplayed(committedBatches(5, 2)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("does not start at the log end 3");
        assertThatThrownBy(() -> log.appendReplayed(committedBatches(2, 4)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("does not start at the log end 3");
        assertThat(log.logEndOffset()).isEqualTo(3);
    }

    @Test
    void replayRestoresProducerStateSoARetryOfAReplayedBatchIsADuplicate() {
        PartitionLog log = harness.open(config());
        log.appendReplayed(committedBatches(0, 3, 2)); // sequences 0-2 and 3-4 of PID
        log.attachWal(sink);

        AppendResult retry = log.append(batch().producer(PID, (short) 0, 3).records(2).build());

        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isEqualTo(3);
        assertThat(log.awaitCommitted(retry.lastOffset() + 1)).as("the original is committed").isCompleted();
        assertThat(sink.handed).isEmpty();
        assertThatThrownBy(() -> log.append(batch().producer(PID, (short) 0, 9).records(1).build()))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(log.append(batch().producer(PID, (short) 0, 5).records(1).build()).firstOffset()).isEqualTo(5);
    }

    @Test
    void retentionNeverDeletesASegmentAboveTheHighWatermark() {
        PartitionLog log = harness.open(config("segment.bytes", "1024", "retention.bytes", "1"));
        log.attachWal(sink);
        while (log.sealedSegments().size() < 3) {
            log.append(batch().records(1).valueSize(300).timestamp(harness.clock.millis()).build());
        }
        long firstEnd = log.sealedSegments().get(0).nextOffset();
        log.onCommitted(firstEnd);

        int deleted = log.deleteExpiredSegments();

        assertThat(deleted).as("only the committed segment goes").isEqualTo(1);
        assertThat(log.logStartOffset()).isEqualTo(firstEnd).isLessThanOrEqualTo(log.highWatermark());
        log.onCommitted(log.logEndOffset());
        assertThat(log.deleteExpiredSegments()).isEqualTo(2);
    }

    // ---- uploads (CLUSTER.md rule 3) ------------------------------------------------------------------------------

    @Test
    void uploadableSegmentsNeverListASegmentAboveTheHighWatermark() {
        PartitionLog log = harness.open(config("segment.bytes", "1024"));
        log.attachWal(sink);
        while (log.sealedSegments().size() < 3) {
            log.append(batch().records(1).valueSize(300).build());
        }
        log.flush();
        assertThat(log.recoveryPoint()).isEqualTo(log.logEndOffset());

        assertThat(log.uploadableSegments()).isEmpty();
        long firstEnd = log.sealedSegments().get(0).nextOffset();
        log.onCommitted(firstEnd);
        assertThat(log.uploadableSegments()).extracting(s -> s.nextOffset()).containsExactly(firstEnd);
        log.onCommitted(log.sealedSegments().get(1).nextOffset() + 1); // into the third segment
        assertThat(log.uploadableSegments()).hasSize(2);
        log.onCommitted(log.logEndOffset());
        assertThat(log.uploadableSegments()).hasSize(3);
    }
}
