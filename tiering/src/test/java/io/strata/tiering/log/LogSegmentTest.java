package io.strata.tiering.log;

import static io.strata.tiering.testing.RecordBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;

import io.strata.index.SegmentRecord;
import io.strata.index.SegmentState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.apache.kafka.common.record.FileRecords;
import org.apache.kafka.common.record.FileRecords.LogOffsetPosition;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogSegmentTest {

    @TempDir
    Path dir;

    /** A batch of {@code count} records with offsets assigned from {@code baseOffset}, as the log would. */
    private static MemoryRecords at(long baseOffset, int count, long timestamp) {
        MemoryRecords records = batch().records(count).timestamp(timestamp).build();
        for (MutableRecordBatch batch : records.batches()) {
            batch.setLastOffset(baseOffset + count - 1);
        }
        return records;
    }

    @Test
    void fileNameIsTheBaseOffsetPaddedToTwentyDigits() throws IOException {
        try (LogSegment segment = LogSegment.create(dir, 4096, 0)) {
            assertThat(segment.file().getFileName().toString()).isEqualTo("00000000000000004096.log");
        }
        assertThat(SegmentFiles.fileName(Long.MAX_VALUE)).isEqualTo("09223372036854775807.log");
        assertThat(SegmentFiles.baseOffsetOf(Path.of("00000000000000004096.log"))).isEqualTo(OptionalLong.of(4096));
        assertThat(SegmentFiles.baseOffsetOf(Path.of("00000000000000004096.log.deleted"))).isEmpty();
        assertThat(SegmentFiles.baseOffsetOf(Path.of("4096.log"))).isEmpty();
    }

    @Test
    void appendTracksNextOffsetSizeAndMaxTimestamp() throws IOException {
        try (LogSegment segment = LogSegment.create(dir, 100, 0)) {
            MemoryRecords first = at(100, 3, 5_000);
            MemoryRecords second = at(103, 2, 1_000);

            assertThat(segment.append(first)).isZero();
            assertThat(segment.append(second)).isEqualTo(first.sizeInBytes());

            assertThat(segment.nextOffset()).isEqualTo(105);
            assertThat(segment.sizeInBytes()).isEqualTo(first.sizeInBytes() + second.sizeInBytes());
            assertThat(segment.maxTimestamp()).isEqualTo(5_002);
            assertThat(segment.offsetOfMaxTimestamp()).isEqualTo(102);
        }
    }

    @Test
    void findBatchReturnsTheContainingBatchAndStopsAtTheEndPosition() throws IOException {
        try (LogSegment segment = LogSegment.create(dir, 0, 0)) {
            int firstSize = at(0, 5, 0).sizeInBytes();
            segment.append(at(0, 5, 0));
            segment.append(at(5, 5, 0));

            LogOffsetPosition found = segment.findBatch(7, 0, segment.sizeInBytes()).orElseThrow();

            assertThat(found.offset).as("base offset of the containing batch").isEqualTo(5);
            assertThat(found.position).isEqualTo(firstSize);
            assertThat(segment.findBatch(7, 0, firstSize)).as("beyond the published end").isEmpty();
            assertThat(segment.findBatch(10, 0, segment.sizeInBytes())).isEmpty();
        }
    }

    @Test
    void reopeningFromTheCatalogKeepsTheStatistics() throws IOException {
        SegmentRecord record;
        try (LogSegment segment = LogSegment.create(dir, 0, 1234)) {
            segment.append(at(0, 4, 9_000));
            segment.flush();
            record = segment.toRecord(SegmentState.SEALED);
        }

        try (LogSegment reopened = LogSegment.open(dir, record)) {
            assertThat(reopened.toRecord(SegmentState.SEALED)).isEqualTo(record);
            assertThat(reopened.createdMs()).isEqualTo(1234);
            assertThat(reopened.read(0, reopened.sizeInBytes()).remaining()).isEqualTo((int) record.sizeBytes());
        }
    }

    @Test
    void aClosedAndDeletedSegmentsFileStaysReadableUntilTheLastHoldIsReleased() throws IOException {
        // Given a segment with records and a response holding its file
        LogSegment segment = LogSegment.create(dir, 0, 0);
        MemoryRecords records = at(0, 3, 1_000);
        segment.append(records);
        FileChannel channel = segment.fileRecords().channel();
        OpenSegmentFiles.Hold hold = OpenSegmentFiles.retain(channel).orElseThrow();

        // When the segment is closed and its file deleted
        segment.close();
        segment.deleteFile();

        // Then the held file still reads whole, and nothing new can hold it once the last hold is released
        ByteBuffer read = ByteBuffer.allocate(records.sizeInBytes());
        channel.read(read, 0);
        assertThat(read.flip()).isEqualTo(records.buffer());
        hold.release();
        assertThat(channel.isOpen()).isFalse();
        assertThat(OpenSegmentFiles.retain(channel)).isEmpty();
    }

    @Test
    void aSliceHandedOutJustBeforeTheSegmentIsClosedCanStillBeSent() throws IOException {
        // Given a slice read from a segment, whose response has not started writing yet
        LogSegment segment = LogSegment.create(dir, 0, 0);
        MemoryRecords records = at(0, 3, 1_000);
        segment.append(records);
        FileRecords slice = segment.slice(0, records.sizeInBytes());

        // When the segment is closed and its file deleted (its topic deleted) before the write starts
        segment.close();
        segment.deleteFile();

        // Then the response can still hold the file and send the slice whole
        OpenSegmentFiles.Hold hold = OpenSegmentFiles.retain(slice.channel()).orElseThrow();
        ByteBuffer read = ByteBuffer.allocate(records.sizeInBytes());
        slice.channel().read(read, 0);
        assertThat(read.flip()).isEqualTo(records.buffer());
        hold.release();
    }
}
