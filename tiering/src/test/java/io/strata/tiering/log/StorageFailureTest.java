package io.strata.tiering.log;

import java.time.Duration;
import static org.awaitility.Awaitility.await;
import static io.strata.tiering.log.LogHarness.config;
import static io.strata.tiering.testing.RecordBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.strata.index.RemoteSegment;
import io.strata.index.RemoteSegmentState;
import io.strata.index.IndexBatch;
import io.strata.tiering.testing.FailingDevices;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.Test;

/**
 * Storage failures under one partition log, with real files and a real RocksDB: an append is all or
 * nothing, a failure takes the partition (or the log directory) offline with KAFKA_STORAGE_ERROR, a
 * failed fsync is never papered over by a later checkpoint, and recovery never hands out offsets
 * that are already in the bucket or below a durable log start offset.
 */
class StorageFailureTest extends LogHarnessTest {

    /** While set, every RocksDB write fails as RocksDB fails it (a RocksDBException from the write). */
    final AtomicBoolean rocksDbFails = rocksDb.failing;

    @Test
    void appendThatFailsInTheIndexLeavesNoBytesAndTheRetrySucceeds() throws Exception {
        // Given an idempotent producer's first batch, acknowledged at offsets 0..2, every batch indexed and every
        // append flushed (an append writes its index entries to RocksDB only with a flush, or once many wait)
        PartitionLog log = harness.open(config("index.interval.bytes", "1", "flush.messages", "1"));
        log.append(batch().producer(7, (short) 0, 0).records(3).build());
        log.flush(); // its background checkpoint is done before RocksDB starts failing
        long sizeBefore = Files.size(harness.segmentFile(0));
        MemoryRecords second = batch().producer(7, (short) 0, 3).records(2).build();

        // When its next batch fails in the RocksDB index write
        rocksDbFails.set(true);
        Throwable failure = catchThrowable(() -> log.append(MemoryRecordsCopy.of(second)));
        rocksDbFails.set(false);

        // Then the producer gets KAFKA_STORAGE_ERROR, no byte of the batch stays and nothing moved
        assertThat(failure).isInstanceOf(KafkaStorageException.class);
        assertThat(Errors.forException(failure)).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
        assertThat(Files.size(harness.segmentFile(0))).isEqualTo(sizeBefore);
        assertThat(log.highWatermark()).isEqualTo(3);
        assertThat(log.producerStates()).singleElement()
                .satisfies(p -> assertThat(p.batches()).extracting(b -> b.lastSeq()).containsExactly(2));
        // And the log directory is offline: later appends and reads answer KAFKA_STORAGE_ERROR
        assertThatThrownBy(() -> log.append(batch().records(1).build())).isInstanceOf(KafkaStorageException.class);
        assertThatThrownBy(() -> log.read(0, 1 << 20, true)).isInstanceOf(KafkaStorageException.class);

        // When the broker restarts and the producer retries the batch
        PartitionLog recovered = harness.crashAndRecover(log);
        AppendResult retry = recovered.append(MemoryRecordsCopy.of(second));

        // Then it is appended at offset 3, not answered as a duplicate of a batch no reader can see
        assertThat(retry.duplicate()).isFalse();
        assertThat(retry.firstOffset()).isEqualTo(3);
        assertThat(offsetsOf(recovered)).containsExactly(0L, 1L, 2L, 3L, 4L);
    }

    @Test
    void failedFsyncTakesTheLogDirectoryOfflineWithKafkaStorageError() throws Exception {
        // Given a log that fsyncs every append, whose segment file fails fsync (EINVAL from the kernel)
        PartitionLog log = harness.open(config("flush.messages", "1"));
        log.close();
        FailingDevices.replace(harness.segmentFile(0), FailingDevices.FSYNC_FAILS);
        PartitionLog failing = harness.open(true);

        // When an append's fsync fails
        Throwable failure = catchThrowable(() -> failing.append(batch().records(2).build()));

        // Then the append fails with KAFKA_STORAGE_ERROR and nothing of it is published
        assertThat(failure).isInstanceOf(KafkaStorageException.class);
        assertThat(Errors.forException(failure)).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
        assertThat(failing.highWatermark()).isZero();
        // And the fsync is never retried: the partition stays offline, and its close is not clean
        assertThatThrownBy(() -> failing.append(batch().records(1).build()))
                .isInstanceOf(StorageOfflineException.class).hasMessageContaining("is offline");
        assertThatThrownBy(failing::flush).isInstanceOf(KafkaStorageException.class);
        assertThatThrownBy(failing::close).isInstanceOf(KafkaStorageException.class);
    }

    @Test
    void recoveryPointNeverPassesAFailedFsync() throws Exception {
        // Given a log whose first segment fails fsync, holding two acknowledged records
        PartitionLog log = harness.open(config("segment.bytes", "1024"));
        log.close();
        FailingDevices.replace(harness.segmentFile(0), FailingDevices.FSYNC_FAILS);
        PartitionLog failing = harness.open(true);
        failing.append(batch().records(1).valueSize(400).build());
        failing.append(batch().records(1).valueSize(400).build());

        // When a roll queues the sealed segment's fsync (which fails) and later data is flushed
        catchThrowable(() -> failing.append(batch().records(1).valueSize(400).build()));
        Throwable flush = catchThrowable(failing::flush);

        // Then the flush reports the failure and the durable recovery point stays below the unsynced data
        assertThat(flush).isInstanceOf(KafkaStorageException.class);
        assertThat(harness.partitionState().recoveryPoint()).isZero();
        assertThat(failing.recoveryPoint()).isZero();
        assertThat(failing.uploadableSegments()).isEmpty();
    }

    @Test
    void checkpointNeverWritesBackAnOlderLogStartOffset() throws Exception {
        // Given ten records, then DeleteRecords up to the log end (made durable at once)
        PartitionLog log = harness.open(config());
        log.append(batch().records(10).build());
        log.advanceLogStartOffset(10);
        assertThat(harness.partitionState().logStartOffset()).isEqualTo(10);

        // When power is lost before the records were ever synced, and the log recovers and checkpoints
        harness.crash(log);
        truncate(harness.segmentFile(0), 0);
        PartitionLog recovered = harness.open(false);
        recovered.flush();

        // Then the deleted records stay deleted: the log start is still 10 in memory and on disk
        assertThat(recovered.logStartOffset()).isEqualTo(10);
        assertThat(harness.partitionState().logStartOffset()).isEqualTo(10);
        // And new records get offsets from 10, never below the log start
        assertThat(recovered.append(batch().records(1).build()).firstOffset()).isEqualTo(10);
    }

    @Test
    void aCheckpointRacingDeleteRecordsKeepsTheNewerLogStart() {
        // Given a checkpointer whose view of the log start lags one DeleteRecords just made durable
        LogCheckpointer checkpointer = new LogCheckpointer(harness.topicPartition, harness.key, harness.store,
                Runnable::run, () -> 0L, 0, new LogDirHealth(tempDir));
        try (IndexBatch writes = harness.store.newBatch()) {
            checkpointer.commitLogStart(writes, 100);
        }

        // When a checkpoint runs with the stale value
        checkpointer.schedule(List.of(), 5, List.of());
        checkpointer.awaitPending();

        // Then the durable log start is still 100
        assertThat(harness.partitionState().logStartOffset()).isEqualTo(100);
        assertThat(harness.partitionState().recoveryPoint()).isEqualTo(5);
    }

    @Test
    void recoveryNeverReissuesOffsetsAlreadyInTheBucket() throws Exception {
        // Given ten records that the bucket already holds (offsets 0..9 copied)
        PartitionLog log = harness.open(config());
        for (int i = 0; i < 10; i++) {
            log.append(batch().records(1).build());
        }
        long size = Files.size(harness.segmentFile(0));
        try (IndexBatch writes = harness.store.newBatch()) {
            harness.store.remoteSegments().put(writes, harness.key, new RemoteSegment(0, 10, size, 0, 0, 9, 0,
                    1, RemoteSegmentState.COPY_FINISHED));
            writes.commit(true);
        }

        // When a power loss takes the local tail (offsets 4..9) and the log recovers
        int lostFrom = tornAfter(log, 4);
        harness.crash(log);
        truncate(harness.segmentFile(0), lostFrom);
        PartitionLog recovered = harness.open(false);

        // Then the log continues after the bucket's last offset instead of handing out 4..9 again
        assertThat(recovered.highWatermark()).isEqualTo(10);
        assertThat(recovered.localStartOffset()).isEqualTo(10);
        assertThat(recovered.append(batch().records(1).build()).firstOffset()).isEqualTo(10);
    }

    @Test
    void aWriteFailureTakesOnlyItsPartitionOfflineAndLeavesNoBytes() throws Exception {
        // Given a log whose segment file fails every write (ENOSPC from the kernel)
        PartitionLog log = harness.open(config());
        log.close();
        FailingDevices.replace(harness.segmentFile(0), FailingDevices.WRITE_FAILS);
        LogDirHealth health = new LogDirHealth(tempDir);
        PartitionLog failing = PartitionLog.open(harness.topicPartition, harness.key, harness.partitionDir,
                harness.store, config(), harness.clock, harness.background, true, health);

        // When an append fails
        Throwable failure = catchThrowable(() -> failing.append(batch().records(2).build()));

        // Then it answers KAFKA_STORAGE_ERROR, the partition is offline, the directory is not
        assertThat(Errors.forException(failure)).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
        assertThat(failing.online()).isFalse();
        assertThat(health.online()).isTrue();
        assertThat(health.offlinePartitionCount()).isEqualTo(1);
        assertThat(failing.highWatermark()).isZero();
        assertThatThrownBy(() -> failing.readAsync(0, 100, true).join()).hasCauseInstanceOf(KafkaStorageException.class);
        failing.closeForDeletion();
    }

    /** The byte position where the batch holding {@code offset} starts. */
    private static int tornAfter(PartitionLog log, long offset) {
        int position = 0;
        for (RecordBatch batch : log.read(0, 1 << 20, true).memoryRecords().batches()) {
            if (batch.lastOffset() >= offset) {
                return position;
            }
            position += batch.sizeInBytes();
        }
        return position;
    }

    @Test
    void aSegmentDeletedWhileItsFsyncIsQueuedLeavesTheDirectoryOnline() throws Exception {
        // Given sealed segments whose background fsyncs are still queued
        List<Runnable> queued = new ArrayList<>();
        harness.open(config("segment.bytes", "1024", "file.delete.delay.ms", "0")).close();
        PartitionLog log = harness.open(true, queued::add);
        while (log.sealedSegments().size() < 2) {
            log.append(batch().records(1).valueSize(300).build());
        }

        // When DeleteRecords drops them and their deletion runs before the queued fsyncs
        log.advanceLogStartOffset(log.highWatermark());
        // (the deletion reaches the queue through a timer thread: run what is queued until nothing is left)
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
            List<Runnable> ready;
            synchronized (queued) {
                ready = List.copyOf(queued);
                queued.clear();
            }
            ready.forEach(Runnable::run);
            return ready.isEmpty() && !holdsDeletedFiles(log.directory());
        });

        // Then the fsyncs of the deleted files are no failure: the log stays online and takes appends
        assertThat(log.online()).isTrue();
        log.append(batch().records(1).build());
        assertThat(log.highWatermark()).isGreaterThan(log.logStartOffset());
    }

    private static boolean holdsDeletedFiles(Path directory) throws Exception {
        try (var files = Files.list(directory)) {
            return files.anyMatch(file -> file.getFileName().toString().endsWith(".deleted"));
        }
    }

    private static void truncate(Path file, long size) throws Exception {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
    }

    private static List<Long> offsetsOf(PartitionLog log) {
        List<Long> offsets = new ArrayList<>();
        for (RecordBatch batch : log.read(log.logStartOffset(), 1 << 20, true).memoryRecords().batches()) {
            batch.forEach(r -> offsets.add(r.offset()));
        }
        return offsets;
    }

    /** Appends rewrite batch headers in place: a retry needs bytes of its own. */
    private static final class MemoryRecordsCopy {
        static MemoryRecords of(MemoryRecords records) {
            return io.strata.tiering.testing.RecordBatches.copy(records);
        }
    }
}
