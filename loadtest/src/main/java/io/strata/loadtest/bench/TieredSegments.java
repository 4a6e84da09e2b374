package io.strata.loadtest.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a Strata broker the tool started has moved to the bucket for one topic, read as catchup.sh reads
 * it: from the broker's log lines
 * {@code Copied segment 0 of catchup-0 to the bucket (536870830 bytes, offsets 0 to 521012) in 3140 ms},
 * and from the segment files ({@code *.log}) still in the topic's partition directories.
 *
 * @param endOffsets per partition, one past the last offset in the bucket (0: nothing in the bucket)
 * @param segments   segments copied
 * @param bytes      bytes copied
 */
record TieredSegments(Map<Integer, Long> endOffsets, int segments, long bytes) {

    static TieredSegments read(Path brokerLog, String topic, int partitions) throws IOException {
        Pattern copied = Pattern.compile("Copied segment \\d+ of " + Pattern.quote(topic)
            + "-(\\d+) to the bucket \\((\\d+) bytes, offsets \\d+ to (\\d+)\\)");
        Map<Integer, Long> ends = new HashMap<>();
        for (int partition = 0; partition < partitions; partition++) {
            ends.put(partition, 0L);
        }
        int segments = 0;
        long bytes = 0;
        Matcher matcher = copied.matcher(Files.readString(brokerLog));
        while (matcher.find()) {
            segments++;
            bytes += Long.parseLong(matcher.group(2));
            ends.merge(Integer.parseInt(matcher.group(1)), Long.parseLong(matcher.group(3)) + 1, Math::max);
        }
        return new TieredSegments(Map.copyOf(ends), segments, bytes);
    }

    long records() {
        return endOffsets.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Segment files left on local disk for the topic: the active segment of each partition once tiering is done. */
    static long localSegmentFiles(Path dataDir, String topic) throws IOException {
        Pattern partitionDir = Pattern.compile(Pattern.quote(topic) + "-\\d+");
        try (Stream<Path> dirs = Files.list(dataDir)) {
            long count = 0;
            for (Path dir : dirs.filter(dir -> partitionDir.matcher(dir.getFileName().toString()).matches()).toList()) {
                try (Stream<Path> files = Files.list(dir)) {
                    count += files.filter(file -> file.getFileName().toString().endsWith(".log")).count();
                }
            }
            return count;
        }
    }
}
