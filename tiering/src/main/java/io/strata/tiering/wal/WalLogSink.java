package io.strata.tiering.wal;

import io.strata.metadata.TopicPartitionId;
import io.strata.metadata.WalBatch;
import io.strata.tiering.log.PartitionLog;
import io.strata.tiering.log.WalSink;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.record.RecordBatch;

/** Hands every partition log's appends to the broker's {@link WalWriter}, and its outcomes back to the log. */
public final class WalLogSink implements WalSink {

    private final WalWriter writer;
    private final long tailMaxBytes;
    private final long tailMaxMs;

    /** Without tail limits of its own (segments roll by their topic's settings only). */
    public WalLogSink(WalWriter writer) {
        this(writer, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    /** With the tail limits of {@code settings} ({@link WalSettings#tailMaxBytes()}, {@link WalSettings#tailMax()}). */
    public WalLogSink(WalWriter writer, WalSettings settings) {
        this(writer, settings.tailMaxBytes(), settings.tailMax().toMillis());
    }

    private WalLogSink(WalWriter writer, long tailMaxBytes, long tailMaxMs) {
        this.writer = writer;
        this.tailMaxBytes = tailMaxBytes;
        this.tailMaxMs = tailMaxMs;
    }

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
        writer.checkAdmits(log.topicPartition());
    }

    @Override
    public void appended(PartitionLog log, int leaderEpoch, long baseOffset, long endOffset, ByteBuffer bytes,
                         List<? extends RecordBatch> batches) {
        List<WalBatch> described = new ArrayList<>(batches.size());
        for (RecordBatch batch : batches) {
            described.add(new WalBatch(batch.baseOffset(), batch.lastOffset(), batch.producerId(),
                    batch.producerEpoch(), batch.baseSequence(), batch.lastSequence(), batch.maxTimestamp()));
        }
        TopicPartitionId id = new TopicPartitionId(log.key().topicId(), log.key().partition());
        writer.add(id, leaderEpoch, baseOffset, endOffset, bytes, described, new WalWriter.Listener() {
            @Override
            public void committed(long end) {
                log.onCommitted(end);
            }

            @Override
            public void failed(long fromOffset, int epoch, RuntimeException cause) {
                log.onCommitFailed(fromOffset, epoch, cause);
            }
        });
    }
}
