package io.strata.tiering.wal;

import static io.strata.tiering.log.LogHarness.config;
import static io.strata.tiering.testing.RecordBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.metadata.TopicPartitionId;
import io.strata.metadata.WalBatch;
import io.strata.metadata.WalCommitOutcome;
import io.strata.metadata.WalRange;
import io.strata.tiering.log.AppendResult;
import io.strata.tiering.log.LogHarness;
import io.strata.tiering.log.PartitionLog;
import io.strata.tiering.testing.RecordBatches;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.record.MemoryRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition log whose appends go through {@link WalLogSink} to a real {@link WalWriter} (in-memory bucket,
 * scripted committer): what the commit records of each batch (CLUSTER.md rule 11), and the log's high watermark
 * and waiting requests following the commit's outcome.
 */
class WalLogSinkTest {

    @TempDir
    Path tempDir;
    LogHarness harness;
    final WalWriterTest.ControlledStore store = new WalWriterTest.ControlledStore();
    final WalWriterTest.ScriptedCommitter committer = new WalWriterTest.ScriptedCommitter();
    WalWriter writer;
    PartitionLog log;

    @BeforeEach
    void open() {
        harness = new LogHarness(tempDir);
        writer = new WalWriter(store, committer, 1, UUID.randomUUID(),
                new WalSettings(Duration.ofMillis(5), 1 << 20, 4, 8 << 20), new WalMetrics());
        log = harness.open(config());
        log.setLeaderEpoch(4);
        log.attachWal(new WalLogSink(writer));
    }

    @AfterEach
    void close() throws Exception {
        writer.close();
        harness.close();
    }

    @Test
    void theCommitDescribesEveryBatchAsTheLogStoredIt() throws Exception {
        long now = harness.clock.millis();
        MemoryRecords request = RecordBatches.concat(
                batch().producer(9, (short) 2, 10).records(3).timestamp(now - 100).build(),
                batch().records(2).timestamp(now - 50).build());

        AppendResult result = log.append(request);
        log.awaitCommitted(result.lastOffset() + 1).get(10, TimeUnit.SECONDS);

        assertThat(log.highWatermark()).isEqualTo(5);
        assertThat(committer.calls).hasSize(1);
        WalRange range = committer.calls.get(0).ranges().get(0);
        assertThat(range.partition()).isEqualTo(new TopicPartitionId(harness.key.topicId(), 0));
        assertThat(range.leaderEpoch()).isEqualTo(4);
        assertThat(range.baseOffset()).isZero();
        assertThat(range.endOffset()).isEqualTo(5);
        assertThat(range.batches()).containsExactly(
                new WalBatch(0, 2, 9, (short) 2, 10, 12, now - 98),
                new WalBatch(3, 4, -1, (short) -1, -1, -1, now - 49));
        byte[] object = store.memory.bytes(range.objectKey()).orElseThrow();
        ByteBuffer inTheObject = ByteBuffer.wrap(object, (int) range.position(), range.length());
        assertThat(inTheObject).as("the bytes the log holds, offsets and leader epoch included")
                .isEqualTo(log.read(0, 1 << 20, true).memoryRecords().buffer());
    }

    @Test
    void aFencedRangeFailsItsWaitingRequestsAndTheLogRefusesAppends() throws Exception {
        committer.script.add(c -> Map.of(c.ranges().get(0).partition(), WalCommitOutcome.FENCED));

        AppendResult result = log.append(batch().records(3).timestamp(harness.clock.millis()).build());

        assertThatThrownBy(() -> log.awaitCommitted(result.lastOffset() + 1).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NotLeaderOrFollowerException.class);
        assertThat(log.highWatermark()).isZero();
        assertThatThrownBy(() -> log.append(batch().records(1).timestamp(harness.clock.millis()).build()))
                .isInstanceOf(NotLeaderOrFollowerException.class);
    }

    @Test
    void appendsAreRefusedWhileTheWalBufferIsFull() throws Exception {
        writer.close();
        writer = new WalWriter(store, committer, 1, UUID.randomUUID(),
                new WalSettings(Duration.ofHours(1), 100, 4, 100), new WalMetrics());
        log.attachWal(new WalLogSink(writer));
        committer.hold();
        log.append(batch().records(3).timestamp(harness.clock.millis()).build());

        assertThatThrownBy(() -> log.append(batch().records(1).timestamp(harness.clock.millis()).build()))
                .isInstanceOf(org.apache.kafka.common.errors.NotEnoughReplicasException.class);
        assertThat(log.logEndOffset()).isEqualTo(3);
        committer.open();
        log.awaitCommitted(3).get(10, TimeUnit.SECONDS);
    }
}
