package io.strata.tiering.remote;

import static io.strata.tiering.log.LogHarness.config;
import static io.strata.tiering.testing.RecordBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;

import io.strata.tiering.log.LogHarness;
import io.strata.tiering.log.PartitionLog;
import io.strata.tiering.testing.InMemoryObjectStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The uploader copies a sealed segment only once it is fsynced and checkpointed as such. */
class SyncedUploadTest {

    @TempDir
    Path tempDir;
    LogHarness harness;
    final InMemoryObjectStore bucket = new InMemoryObjectStore();
    /** Background fsyncs and checkpoints, held until the test runs them. */
    final List<Runnable> queuedFlushes = new ArrayList<>();
    final Executor heldFlushes = queuedFlushes::add;

    @BeforeEach
    void open() {
        harness = new LogHarness(tempDir);
    }

    @AfterEach
    void close() throws Exception {
        while (!queuedFlushes.isEmpty()) { // running one may queue the next
            queuedFlushes.remove(0).run();
        }
        harness.close();
    }

    @Test
    void unsyncedSegmentIsNotUploaded() throws Exception {
        // Given a sealed segment whose fsync is still queued
        harness.open(config("segment.bytes", "1024")).close();
        PartitionLog log = harness.open(true, heldFlushes);
        while (log.sealedSegments().isEmpty()) {
            log.append(batch().records(1).valueSize(300).build());
        }
        RemoteMetrics metrics = new RemoteMetrics();
        SegmentCopier copier = new SegmentCopier(bucket, harness.store, new ManifestWriter(bucket, harness.store,
                metrics, PrefixLease.exclusive()), new RateLimiter(Long.MAX_VALUE), metrics, harness.clock,
                PrefixLease.exclusive());

        // When the uploader runs
        int copiedBeforeSync = copier.copyPending(log);

        // Then nothing goes to the bucket
        assertThat(copiedBeforeSync).isZero();
        assertThat(bucket.snapshot()).isEmpty();

        // When the fsync and its checkpoint are done, the next run copies the segment
        List<Runnable> flushes = List.copyOf(queuedFlushes);
        queuedFlushes.clear();
        flushes.forEach(Runnable::run);
        assertThat(copier.copyPending(log)).isEqualTo(1);
    }

    @Test
    void segmentsSyncedByRecoveryAreUploadedWithoutWaitingForTheNextRoll() throws Exception {
        // Given sealed segments whose fsyncs never ran before the broker crashed
        harness.open(config("segment.bytes", "1024")).close();
        PartitionLog log = harness.open(true, heldFlushes);
        while (log.sealedSegments().size() < 2) {
            log.append(batch().records(1).valueSize(300).build());
        }

        // When the broker crashes (the old log is abandoned, its fsyncs still queued) and recovery
        // re-reads and fsyncs the segments
        PartitionLog recovered = harness.open(false, heldFlushes);

        // Then they may go to the bucket at once
        assertThat(recovered.uploadableSegments()).hasSize(2);
    }
}
