package io.strata.tiering.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.tiering.testing.RecordBatches;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.DefaultRecordBatch;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.utils.Crc32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The uploader's scan of a segment file never fails on a compressed batch it cannot decompress. */
class ScannedSegmentTest {

    @TempDir
    Path dir;

    @Test
    void aBatchThatCannotBeDecompressedIsListedAndIndexedFromItsHeader() throws Exception {
        // Given a segment of three gzip batches of 5 records (offsets 0-14, rising timestamps) whose middle
        // batch holds garbage instead of gzip data under a valid CRC
        Path file = dir.resolve("00000000000000000000.log");
        long t = 1_000_000;
        ByteBuffer first = batch(0, t);
        ByteBuffer middle = batch(5, t + 100);
        ByteBuffer last = batch(10, t + 200);
        byte[] garbage = new byte[middle.limit() - DefaultRecordBatch.RECORD_BATCH_OVERHEAD];
        Arrays.fill(garbage, (byte) 0x5a);
        middle.put(DefaultRecordBatch.RECORD_BATCH_OVERHEAD, garbage);
        middle.putInt(17, (int) Crc32C.compute(middle, 21, middle.limit() - 21));
        long size;
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (ByteBuffer batch : new ByteBuffer[] {first, middle, last}) {
                while (batch.hasRemaining()) {
                    out.write(batch);
                }
            }
            size = out.size();
        }

        // When the uploader scans it
        ScannedSegment scan = ScannedSegment.scan(file, 0, 15, size, 1024);

        // Then the middle batch is listed as unreadable, with its offsets and the codec's reason
        assertThat(scan.unreadable()).singleElement().satisfies(batch -> {
            assertThat(batch.baseOffset()).isEqualTo(5);
            assertThat(batch.lastOffset()).isEqualTo(9);
            assertThat(batch.reason()).contains("GZIP");
        });
        // And its time entry comes from its header (max timestamp at its base offset); the others' from records
        assertThat(scan.sidecar().times()).extracting(SegmentSidecar.TimeEntry::offset)
                .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 10L, 11L, 12L, 13L, 14L);
        assertThat(scan.sidecar().times().get(5).maxTimestamp()).isEqualTo(t + 104);
        assertThat(scan.maxTimestamp()).isEqualTo(t + 204);
    }

    /** A gzip batch of 5 records at {@code baseOffset}, timestamps {@code firstTimestamp} + 0..4. */
    private static ByteBuffer batch(long baseOffset, long firstTimestamp) {
        MemoryRecords records = RecordBatches.batch().records(5).timestamp(firstTimestamp)
                .compression(Compression.gzip().build()).build();
        ByteBuffer buffer = ByteBuffer.allocate(records.sizeInBytes()).put(records.buffer()).flip();
        MemoryRecords.readableRecords(buffer).batches().iterator().next().setLastOffset(baseOffset + 4);
        return buffer;
    }
}
