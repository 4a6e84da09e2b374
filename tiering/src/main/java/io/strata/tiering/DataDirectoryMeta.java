package io.strata.tiering;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code <log.dirs>/meta.properties}: the identity of a data directory, kept beside RocksDB so that a
 * lost or moved-away {@code rocksdb/} does not give the broker a new cluster id or hand out producer ids
 * again. Written atomically ({@link PropertiesFile}) at every start and whenever a new block of producer ids
 * is reserved. Layout (Kafka's {@code meta.properties} also has {@code version} and {@code cluster.id}):
 * <pre>
 *   # Strata data directory identity; do not edit
 *   cluster.id=q1Sh-9_ISia_zwGINzRvyQ
 *   producer.id.block.end=2000
 *   version=1
 * </pre>
 * {@code producer.id.block.end}: every producer id this broker handed out is below it.
 *
 * @param clusterId         the cluster id
 * @param producerIdBlockEnd an exclusive upper bound of the producer ids handed out so far
 */
record DataDirectoryMeta(String clusterId, long producerIdBlockEnd) {

    static final String FILE = "meta.properties";
    private static final String VERSION = "1";

    static Optional<DataDirectoryMeta> read(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        return PropertiesFile.read(file).map(entries -> {
            String clusterId = entries.get("cluster.id");
            if (!VERSION.equals(entries.get("version")) || clusterId == null || clusterId.isBlank()) {
                throw new IllegalStateException("Cannot read " + file + ": expected version=" + VERSION
                        + " and a cluster.id; restore the file or move it away to start with a new identity");
            }
            return new DataDirectoryMeta(clusterId, parseLong(entries.get("producer.id.block.end")).orElse(0));
        });
    }

    void write(Path dataDir) {
        PropertiesFile.write(dataDir.resolve(FILE), Map.of("version", VERSION, "cluster.id", clusterId,
                "producer.id.block.end", Long.toString(producerIdBlockEnd)),
                "Strata data directory identity; do not edit");
    }

    DataDirectoryMeta withProducerIdBlockEnd(long end) {
        return new DataDirectoryMeta(clusterId, end);
    }

    private static OptionalLong parseLong(String value) {
        try {
            return value == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
