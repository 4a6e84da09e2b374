package io.strata.loadtest.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TieredSegmentsTest {

    @TempDir
    Path dir;

    @Test
    void readsTheCopiedSegmentsOfOneTopicFromTheBrokerLog() throws Exception {
        Path log = dir.resolve("broker.log");
        Files.writeString(log, String.join("\n",
            "05:00:01 INFO SegmentCopier - Copied segment 0 of cold-0 to the bucket (1000 bytes, offsets 0 to 9) in 31 ms",
            "05:00:02 INFO SegmentCopier - Copied segment 10 of cold-0 to the bucket (1100 bytes, offsets 10 to 20) in 12 ms",
            "05:00:02 INFO SegmentCopier - Copied segment 0 of cold-1 to the bucket (900 bytes, offsets 0 to 7) in 9 ms",
            "05:00:03 INFO SegmentCopier - Copied segment 0 of cold-warmup-0 to the bucket (5000 bytes, offsets 0 to 99) in 9 ms",
            "05:00:04 INFO SegmentCopier - Copied segment 0 of other-2 to the bucket (700 bytes, offsets 0 to 5) in 9 ms", ""));

        TieredSegments tiered = TieredSegments.read(log, "cold", 3);

        assertThat(tiered.segments()).isEqualTo(3);
        assertThat(tiered.bytes()).isEqualTo(3000);
        assertThat(tiered.endOffsets()).isEqualTo(Map.of(0, 21L, 1, 8L, 2, 0L));
        assertThat(tiered.records()).isEqualTo(29);
    }

    @Test
    void countsTheSegmentFilesLeftInTheTopicsPartitionDirectories() throws Exception {
        Files.createDirectories(dir.resolve("cold-0"));
        Files.createFile(dir.resolve("cold-0/00000000000000000021.log"));
        Files.createFile(dir.resolve("cold-0/00000000000000000021.index"));
        Files.createDirectories(dir.resolve("cold-1"));
        Files.createFile(dir.resolve("cold-1/00000000000000000000.log"));
        Files.createFile(dir.resolve("cold-1/00000000000000000008.log"));
        Files.createDirectories(dir.resolve("cold-warmup-0"));
        Files.createFile(dir.resolve("cold-warmup-0/00000000000000000000.log"));

        assertThat(TieredSegments.localSegmentFiles(dir, "cold")).isEqualTo(3);
    }
}
