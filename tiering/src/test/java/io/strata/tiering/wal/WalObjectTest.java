package io.strata.tiering.wal;

import static io.strata.tiering.testing.RecordBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.metadata.TopicPartitionId;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.Test;

/** The byte layout of a write-ahead-log object ({@link WalObject}). */
class WalObjectTest {

    private static final UUID INCARNATION = UUID.fromString("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
    private static final TopicPartitionId ORDERS_0 = new TopicPartitionId(new UUID(1, 1), 0);
    private static final TopicPartitionId ORDERS_3 = new TopicPartitionId(new UUID(1, 1), 3);
    private static final TopicPartitionId PAYMENTS_1 = new TopicPartitionId(new UUID(2, 7), 1);

    /** {@code count} batches of 3 records each, offsets from {@code baseOffset}, as one partition log holds them. */
    private static List<ByteBuffer> batchesAt(long baseOffset, int count, long timestamp) {
        List<ByteBuffer> batches = new ArrayList<>();
        long offset = baseOffset;
        for (int i = 0; i < count; i++) {
            MemoryRecords records = batch().records(3).timestamp(timestamp + i * 10).build();
            for (MutableRecordBatch b : records.batches()) {
                b.setLastOffset(offset + b.lastOffset() - b.baseOffset());
                offset = b.nextOffset();
            }
            batches.add(records.buffer());
        }
        return batches;
    }

    private static WalObject.Part part(TopicPartitionId partition, int epoch, long baseOffset, int batches,
                                       long timestamp) {
        return new WalObject.Part(partition, epoch, baseOffset, baseOffset + 3L * batches,
                batchesAt(baseOffset, batches, timestamp));
    }

    private static List<WalObject.Part> threeParts() {
        return List.of(part(ORDERS_0, 4, 100, 2, 1_000), part(ORDERS_3, 5, 0, 1, 2_000),
                part(PAYMENTS_1, 9, 7_000, 3, 3_000));
    }

    @Test
    void encodedHeaderParsesBackToEveryField() {
        WalObject.Encoded encoded = WalObject.encode(42, INCARNATION, 17, 1_700_000_000_123L, threeParts());

        WalObject.Header parsed = WalObject.parseHeader(ByteBuffer.wrap(encoded.bytes()));

        assertThat(parsed).isEqualTo(encoded.header());
        assertThat(parsed.nodeId()).isEqualTo(42);
        assertThat(parsed.incarnation()).isEqualTo(INCARNATION);
        assertThat(parsed.sequence()).isEqualTo(17);
        assertThat(parsed.createdMs()).isEqualTo(1_700_000_000_123L);
        assertThat(parsed.headerLength()).isEqualTo(WalObject.headerLength(3)).isEqualTo(50 + 3 * 52 + 4);
        assertThat(parsed.entries()).extracting(WalObject.Entry::partition)
                .containsExactly(ORDERS_0, ORDERS_3, PAYMENTS_1);
        assertThat(parsed.entries()).extracting(WalObject.Entry::leaderEpoch).containsExactly(4, 5, 9);
        assertThat(parsed.entries()).extracting(WalObject.Entry::baseOffset).containsExactly(100L, 0L, 7_000L);
        assertThat(parsed.entries()).extracting(WalObject.Entry::endOffset).containsExactly(106L, 3L, 7_009L);
        // the data follows the header, each entry's where the previous one's ends, up to the last byte
        WalObject.Entry first = parsed.entries().get(0);
        assertThat(first.position()).isEqualTo(parsed.headerLength());
        for (int i = 1; i < 3; i++) {
            WalObject.Entry previous = parsed.entries().get(i - 1);
            assertThat(parsed.entries().get(i).position()).isEqualTo(previous.position() + previous.length());
        }
        WalObject.Entry last = parsed.entries().get(2);
        assertThat(last.position() + last.length()).isEqualTo(encoded.bytes().length);
    }

    @Test
    void headerParsesFromABufferThatDoesNotStartAtZero() {
        byte[] bytes = WalObject.encode(1, INCARNATION, 2, 3, threeParts()).bytes();
        ByteBuffer shifted = ByteBuffer.allocate(bytes.length + 5);
        shifted.position(5);
        shifted.put(bytes).position(5);

        assertThat(WalObject.parseHeader(shifted).sequence()).isEqualTo(2);
    }

    @Test
    void eachEntrysByteRangeHoldsExactlyThatPartitionsBatchesWithTheirOffsets() {
        List<WalObject.Part> parts = threeParts();
        WalObject.Encoded encoded = WalObject.encode(42, INCARNATION, 0, 0, parts);

        for (int i = 0; i < parts.size(); i++) {
            WalObject.Entry entry = encoded.header().entries().get(i);
            ByteBuffer slice = ByteBuffer.wrap(encoded.bytes(), (int) entry.position(), entry.length()).slice();
            MemoryRecords records = MemoryRecords.readableRecords(slice);
            List<RecordBatch> batches = new ArrayList<>();
            records.batches().forEach(batches::add);

            assertThat(batches).hasSize(parts.get(i).batches().size());
            assertThat(batches.get(0).baseOffset()).isEqualTo(entry.baseOffset());
            assertThat(batches.get(batches.size() - 1).nextOffset()).isEqualTo(entry.endOffset());
            for (int b = 0; b < batches.size(); b++) {
                batches.get(b).ensureValid();
                assertThat(((MutableRecordBatch) batches.get(b)).sizeInBytes())
                        .isEqualTo(parts.get(i).batches().get(b).remaining());
                assertThat(batches.get(b).baseOffset()).isEqualTo(entry.baseOffset() + 3L * b);
            }
            assertThat(records.sizeInBytes()).as("nothing of another partition in the range").isEqualTo(
                    parts.get(i).batches().stream().mapToInt(ByteBuffer::remaining).sum());
        }
    }

    @Test
    void encodingLeavesThePartsBuffersUntouched() {
        List<WalObject.Part> parts = threeParts();
        List<Integer> positions = parts.stream().flatMap(p -> p.batches().stream()).map(ByteBuffer::position).toList();

        WalObject.encode(42, INCARNATION, 0, 0, parts);

        assertThat(parts.stream().flatMap(p -> p.batches().stream()).map(ByteBuffer::position).toList())
                .isEqualTo(positions);
    }

    @Test
    void aFlippedHeaderByteFailsTheChecksum() {
        byte[] bytes = WalObject.encode(42, INCARNATION, 17, 5, threeParts()).bytes();
        // a byte of the sequence, and a byte of the second entry's end offset
        for (int at : new int[] {33, 50 + 52 + 28}) {
            byte[] damaged = bytes.clone();
            damaged[at] ^= 0x10;

            assertThatThrownBy(() -> WalObject.parseHeader(ByteBuffer.wrap(damaged)))
                    .as("byte %d flipped", at)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("checksum mismatch");
        }
    }

    @Test
    void aFlippedChecksumByteIsCaughtToo() {
        byte[] bytes = WalObject.encode(42, INCARNATION, 17, 5, threeParts()).bytes();
        bytes[WalObject.headerLength(3) - 1] ^= 0x01;

        assertThatThrownBy(() -> WalObject.parseHeader(ByteBuffer.wrap(bytes)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("checksum mismatch");
    }

    @Test
    void wrongMagicIsRefusedAsNotAWalObject() {
        byte[] bytes = WalObject.encode(42, INCARNATION, 17, 5, threeParts()).bytes();
        ByteBuffer.wrap(bytes).putInt(0, 0x12345678);

        assertThatThrownBy(() -> WalObject.parseHeader(ByteBuffer.wrap(bytes)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("not a WAL object (magic 0x12345678)");
    }

    @Test
    void anUnknownVersionIsRefusedNamingBothVersions() {
        byte[] bytes = WalObject.encode(42, INCARNATION, 17, 5, threeParts()).bytes();
        ByteBuffer.wrap(bytes).putShort(4, (short) 2);

        assertThatThrownBy(() -> WalObject.parseHeader(ByteBuffer.wrap(bytes)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("WAL object version 2 is not one this broker reads (1)");
    }

    @Test
    void aTruncatedHeaderIsRefused() {
        byte[] bytes = WalObject.encode(42, INCARNATION, 17, 5, threeParts()).bytes();

        assertThatThrownBy(() -> WalObject.parseHeader(ByteBuffer.wrap(bytes, 0, 20)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too short");
        assertThatThrownBy(() -> WalObject.parseHeader(ByteBuffer.wrap(bytes, 0, WalObject.headerLength(3) - 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("corrupt WAL object header");
    }

    @Test
    void aCorruptEntryCountIsRefusedBeforeReadingEntries() {
        byte[] bytes = WalObject.encode(42, INCARNATION, 17, 5, threeParts()).bytes();
        ByteBuffer.wrap(bytes).putInt(46, 1_000_000);

        assertThatThrownBy(() -> WalObject.parseHeader(ByteBuffer.wrap(bytes)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("corrupt WAL object header");
    }

    @Test
    void partsOutOfTopicIdPartitionOrderAreRefused() {
        List<WalObject.Part> reversed = List.of(part(ORDERS_3, 1, 0, 1, 0), part(ORDERS_0, 1, 0, 1, 0));
        List<WalObject.Part> twice = List.of(part(ORDERS_0, 1, 0, 1, 0), part(ORDERS_0, 1, 3, 1, 0));

        assertThatThrownBy(() -> WalObject.encode(1, INCARNATION, 0, 0, reversed))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("out of (topic id, partition) order");
        assertThatThrownBy(() -> WalObject.encode(1, INCARNATION, 0, 0, twice))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("out of (topic id, partition) order");
    }

    @Test
    void anObjectWithoutPartsIsJustAValidHeader() {
        WalObject.Encoded encoded = WalObject.encode(3, INCARNATION, 9, 11, List.of());

        assertThat(encoded.bytes()).hasSize(WalObject.headerLength(0)).hasSize(54);
        WalObject.Header parsed = WalObject.parseHeader(ByteBuffer.wrap(encoded.bytes()));
        assertThat(parsed.entries()).isEmpty();
        assertThat(parsed.sequence()).isEqualTo(9);
        assertThat(parsed).isEqualTo(encoded.header());
    }
}
