package io.strata.tiering.remote;

import io.strata.index.PartitionKey;
import io.strata.index.ProducerStateEntry;
import io.strata.index.RemoteSegment;
import io.strata.index.RemoteSegmentState;
import io.strata.index.RocksDbIndexStore;
import io.strata.objectstore.ObjectStore;
import io.strata.tiering.log.ProducerStateReplay;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.FileRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idempotent-producer state of a partition as of the end of its segments in the bucket, for a new leader:
 * the newest producer-state object at or below that end ({@link ProducerStateObjects}), brought forward by
 * replaying the batches of the remote segments above it (each downloaded in 8 MiB ranges to a scratch file and
 * read batch by batch, then deleted). After a hand-over the object ends exactly at the end and nothing is
 * downloaded; without any object (a partition never handed over) every remote segment is read. Reads the catalog
 * the restore just rebuilt. Blocking.
 */
final class ProducerStateRestore {

    private static final Logger LOGGER = LoggerFactory.getLogger(ProducerStateRestore.class);
    private static final int RANGE_BYTES = 8 << 20;

    private final ObjectStore store;
    private final RocksDbIndexStore index;
    private final ProducerStateObjects objects;
    private final Clock clock;

    ProducerStateRestore(ObjectStore store, RocksDbIndexStore index, ProducerStateObjects objects, Clock clock) {
        this.store = store;
        this.index = index;
        this.objects = objects;
        this.clock = clock;
    }

    /** The state of {@code tp} as of {@code end}; {@code scratch} is a directory for the downloads. */
    List<ProducerStateEntry> restore(TopicPartition tp, PartitionKey key, long end, Path scratch) {
        Optional<ProducerStateSnapshot> snapshot = objects.newest(tp, key.topicId(), end);
        long from = snapshot.map(ProducerStateSnapshot::endOffset).orElse(0L);
        ProducerStateReplay replay = new ProducerStateReplay(tp.toString(),
                snapshot.map(ProducerStateSnapshot::entries).orElse(List.of()), from, clock.millis());
        List<RemoteSegment> above = index.remoteSegments().list(key).stream()
                .filter(s -> s.state() == RemoteSegmentState.COPY_FINISHED && s.nextOffset() > from)
                .toList();
        for (RemoteSegment segment : above) {
            replaySegment(tp, key, segment, scratch, replay);
        }
        LOGGER.info("Restored the producer state of {} as of offset {}: {}{}", tp, end,
                snapshot.map(s -> "the object at offset " + s.endOffset()).orElse("no producer-state object"),
                above.isEmpty() ? "" : ", brought forward over " + above.size() + " remote segment(s)");
        return replay.state();
    }

    private void replaySegment(TopicPartition tp, PartitionKey key, RemoteSegment segment, Path scratch,
                               ProducerStateReplay replay) {
        String objectKey = RemoteLayout.segment(tp, key.topicId(), segment.baseOffset());
        Path file = scratch.resolve(RemoteLayout.fileName(segment.baseOffset()) + ".producer-replay");
        try {
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                for (long position = 0; position < segment.sizeBytes(); ) {
                    int length = (int) Math.min(RANGE_BYTES, segment.sizeBytes() - position);
                    ByteBuffer chunk = store.getRange(objectKey, position, length).join();
                    if (!chunk.hasRemaining()) {
                        throw new IllegalStateException(objectKey + " is shorter than the " + segment.sizeBytes()
                                + " bytes its manifest lists");
                    }
                    position += chunk.remaining();
                    while (chunk.hasRemaining()) {
                        out.write(chunk);
                    }
                }
            }
            try (FileRecords records = FileRecords.open(file.toFile(), false)) {
                for (RecordBatch batch : records.batches()) {
                    replay.apply(batch);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replay " + objectKey + " for the producer state of " + tp, e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOGGER.warn("Could not delete {}: {}", file, e.getMessage());
            }
        }
    }
}
