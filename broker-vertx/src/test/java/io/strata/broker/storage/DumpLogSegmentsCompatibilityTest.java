package io.strata.broker.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.tiering.LogManager;
import io.strata.tiering.LogManagerSchedule;
import io.strata.tiering.log.PartitionLog;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The segment files Strata writes are Kafka's format: Apache Kafka's own {@code kafka-dump-log}
 * ({@code kafka.tools.DumpLogSegments}) reads them, offsets, keys, values and headers included.
 */
class DumpLogSegmentsCompatibilityTest {

    @TempDir
    Path dataDir;

    @Test
    void kafkaDumpLogReadsStrataSegmentsWithOffsetsKeysValuesAndHeaders() throws Exception {
        // Given a topic with a plain batch and a zstd batch appended through the partition log
        try (LogManager logs = LogManager.open(dataDir, Map.of(), Clock.systemUTC(), LogManagerSchedule.defaults())) {
            logs.createTopic("dump", 1, (short) 1, Map.of());
            PartitionLog log = logs.log(new TopicPartition("dump", 0)).orElseThrow();
            log.append(MemoryRecords.withRecords(Compression.NONE,
                    new SimpleRecord(1_700_000_000_000L, "k0".getBytes(), "v0".getBytes()),
                    new SimpleRecord(1_700_000_000_001L, "k1".getBytes(), "v1".getBytes(),
                            new RecordHeader[] {new RecordHeader("h", "x".getBytes())})));
            log.append(MemoryRecords.withRecords(Compression.zstd().build(),
                    new SimpleRecord(1_700_000_000_002L, "k2".getBytes(), "v2".getBytes()),
                    new SimpleRecord(1_700_000_000_003L, "k3".getBytes(), "v3".getBytes())));
        }
        Path segment = dataDir.resolve("dump-0").resolve("00000000000000000000.log");

        // When kafka-dump-log prints it
        String output = KafkaDumpLog.dump(segment);

        // Then it sees both batches, every record at its offset, with keys, values and headers
        assertThat(output).contains("baseOffset: 0 lastOffset: 1 count: 2");
        assertThat(output).contains("baseOffset: 2 lastOffset: 3 count: 2");
        assertThat(output).contains("compresscodec: zstd");
        assertThat(output).contains("isvalid: true");
        assertThat(output).doesNotContain("isvalid: false");
        for (int i = 0; i < 4; i++) {
            assertThat(output).containsPattern("offset: " + i + " .*key: k" + i + " .*payload: v" + i);
        }
        assertThat(output).containsPattern("offset: 1 .*headerKeys: \\[h\\]");
    }
}
