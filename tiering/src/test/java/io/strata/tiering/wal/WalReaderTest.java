package io.strata.tiering.wal;

import static io.strata.tiering.testing.RecordBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.index.PartitionKey;
import io.strata.metadata.TopicPartitionId;
import io.strata.metadata.WalRange;
import io.strata.objectstore.ObjectNotFoundException;
import io.strata.objectstore.PutCondition;
import io.strata.tiering.remote.RemoteLayout;
import io.strata.tiering.testing.InMemoryObjectStore;
import io.strata.tiering.testing.WalRangesOnly;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.Test;

/** Reading a partition's committed WAL tail back from the bucket ({@link WalReader}). */
class WalReaderTest {

    private static final UUID INCARNATION = UUID.randomUUID();
    private static final UUID TOPIC = UUID.randomUUID();
    private static final TopicPartitionId P0 = new TopicPartitionId(TOPIC, 0);
    private static final TopicPartitionId P1 = new TopicPartitionId(TOPIC, 1);

    final InMemoryObjectStore bucket = new InMemoryObjectStore();
    final List<WalRange> committed = new ArrayList<>();
    final WalReader reader = new WalReader(WalRangesOnly.of(() -> committed), bucket);

    /** One batch of {@code count} records at {@code base}. */
    private static ByteBuffer batchAt(long base, int count) {
        MemoryRecords records = batch().records(count).build();
        for (MutableRecordBatch b : records.batches()) {
            b.setLastOffset(base + count - 1);
        }
        return records.buffer();
    }

    /** Writes object {@code sequence} holding {@code parts} and records its ranges as committed. */
    private byte[] writeObject(long sequence, WalObject.Part... parts) {
        String key = RemoteLayout.walObject(1, INCARNATION, sequence);
        WalObject.Encoded encoded = WalObject.encode(1, INCARNATION, sequence, 0, List.of(parts));
        bucket.put(key, encoded.bytes(), PutCondition.IF_ABSENT).join();
        for (WalObject.Entry entry : encoded.header().entries()) {
            committed.add(new WalRange(entry.partition(), entry.leaderEpoch(), entry.baseOffset(), entry.endOffset(),
                    key, entry.position(), entry.length(), List.of()));
        }
        return encoded.bytes();
    }

    private static WalObject.Part part(TopicPartitionId partition, long base, int count) {
        return new WalObject.Part(partition, 0, base, base + count, List.of(batchAt(base, count)));
    }

    private static List<Long> offsets(List<MemoryRecords> tail) {
        List<Long> offsets = new ArrayList<>();
        for (MemoryRecords records : tail) {
            for (RecordBatch b : records.batches()) {
                for (Record r : b) {
                    offsets.add(r.offset());
                }
            }
        }
        return offsets;
    }

    @Test
    void readsEachCommittedRangeOfThePartitionWithOneRangedGetInOffsetOrder() {
        writeObject(0, part(P0, 0, 3), part(P1, 0, 4));
        writeObject(1, part(P0, 3, 2));
        writeObject(2, part(P1, 4, 1));

        List<MemoryRecords> tail = reader.read(new PartitionKey(TOPIC, 0), 0);

        assertThat(tail).hasSize(2);
        assertThat(offsets(tail)).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(bucket.rangedGets.get()).isEqualTo(2);
        assertThat(bucket.gets.get()).as("no whole-object GET").isZero();
    }

    @Test
    void readsOnlyTheRangesEndingAboveTheOffsetAsked() {
        writeObject(0, part(P0, 0, 3));
        writeObject(1, part(P0, 3, 2));

        assertThat(offsets(reader.read(new PartitionKey(TOPIC, 0), 3))).containsExactly(3L, 4L);
        assertThat(reader.read(new PartitionKey(TOPIC, 0), 5)).isEmpty();
    }

    @Test
    void aRangeShorterInTheBucketThanRecordedIsAnError() {
        byte[] whole = writeObject(0, part(P0, 0, 3));
        String key = RemoteLayout.walObject(1, INCARNATION, 0);
        bucket.deleteAll(List.of(key)).join();
        bucket.put(key, Arrays.copyOf(whole, whole.length - 10), PutCondition.IF_ABSENT).join();

        assertThatThrownBy(() -> reader.read(new PartitionKey(TOPIC, 0), 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(key).hasMessageContaining("offsets 0 to 2");
    }

    @Test
    void aMissingObjectIsAnError() {
        writeObject(0, part(P0, 0, 3));
        bucket.deleteAll(List.of(RemoteLayout.walObject(1, INCARNATION, 0))).join();

        assertThatThrownBy(() -> reader.read(new PartitionKey(TOPIC, 0), 0))
                .hasCauseInstanceOf(ObjectNotFoundException.class);
    }
}
