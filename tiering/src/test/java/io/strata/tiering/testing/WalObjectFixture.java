package io.strata.tiering.testing;

import io.strata.metadata.TopicPartitionId;
import io.strata.tiering.remote.RemoteLayout;
import io.strata.tiering.wal.WalObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;

/** Write-ahead-log objects for tests, encoded by {@link WalObject#encode} from idempotent record batches. */
public final class WalObjectFixture {

    public static final UUID INCARNATION = UUID.fromString("00000000-0000-0000-0000-00000000a11c");
    public static final UUID TOPIC_A = UUID.fromString("10000000-0000-0000-0000-000000000001");
    public static final UUID TOPIC_B = UUID.fromString("20000000-0000-0000-0000-000000000002");
    public static final long PRODUCER_ID = 4000;
    public static final long CREATED_MS = 1_796_000_000_000L;

    private WalObjectFixture() {
    }

    /** An idempotent batch of {@code count} records at {@code baseOffset}, with sequences from {@code sequence}. */
    public static ByteBuffer batch(long baseOffset, int sequence, int count) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(CREATED_MS + i, ("k" + i).getBytes(StandardCharsets.UTF_8),
                    ("value-" + (baseOffset + i)).getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withIdempotentRecords(baseOffset, Compression.NONE, PRODUCER_ID, (short) 2, sequence, 7,
                records).buffer();
    }

    /**
     * Object {@code sequence} of node 1: topic A partition 0 holds offsets 10..14 in two batches (sequences 0..1 and
     * 2..4), topic B partition 3 holds offsets 0..2 in one batch.
     */
    public static WalObject.Encoded twoPartitions(long sequence) {
        List<WalObject.Part> parts = new ArrayList<>();
        parts.add(new WalObject.Part(new TopicPartitionId(TOPIC_A, 0), 7, 10, 15, List.of(batch(10, 0, 2),
                batch(12, 2, 3))));
        parts.add(new WalObject.Part(new TopicPartitionId(TOPIC_B, 3), 7, 0, 3, List.of(batch(0, 0, 3))));
        return WalObject.encode(1, INCARNATION, sequence, CREATED_MS, parts);
    }

    /** The key of object {@code sequence} of node 1's {@link #INCARNATION}. */
    public static String key(long sequence) {
        return RemoteLayout.walObject(1, INCARNATION, sequence);
    }
}
