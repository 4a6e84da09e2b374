package io.strata.broker.compat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.FileRecords;
import org.apache.kafka.common.record.RecordBatch;

/** Reads a partition's segment files directly, to check what the broker stored. */
final class Segments {

    private Segments() {
    }

    /** The compression type of every stored batch of {@code partition}, in offset order. */
    static List<CompressionType> storedCodecs(Path dataDir, TopicPartition partition) throws IOException {
        List<CompressionType> codecs = new ArrayList<>();
        List<Path> segments;
        try (Stream<Path> files = Files.list(dataDir.resolve(partition.topic() + "-" + partition.partition()))) {
            segments = files.filter(f -> f.toString().endsWith(".log")).sorted().toList();
        }
        for (Path segment : segments) {
            try (FileRecords records = FileRecords.open(segment.toFile(), false)) {
                for (RecordBatch batch : records.batches()) {
                    codecs.add(batch.compressionType());
                }
            }
        }
        return codecs;
    }
}
