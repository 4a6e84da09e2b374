package io.strata.tiering.remote;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.strata.index.BatchMetadata;
import io.strata.index.ProducerStateEntry;
import java.util.Comparator;
import java.util.List;

/**
 * The idempotent producers' state of one partition as of {@code endOffset}, in the bucket at
 * {@code topics/{topic}-{topicId}/{partition}/producers-{endOffset:020d}.json} ({@link ProducerStateObjects} writes
 * and reads it): for each producer its epoch, the broker time of its last append (which drives expiry) and its last
 * (at most five) batches with their sequences and offsets, all below {@code endOffset}. A new leader restores it so
 * that a producer's next sequence is accepted and a retry of its last batch is answered as a duplicate. Example:
 * <pre>
 * {
 *   "version" : 1,
 *   "topic" : "orders",
 *   "topicId" : "5Hs9bWq3RJ2bm2a0QvOiPA",
 *   "partition" : 0,
 *   "endOffset" : 52345,
 *   "producers" : [ {
 *     "producerId" : 7, "epoch" : 0, "lastTimestamp" : 1764558123456,
 *     "batches" : [ { "firstSeq" : 0, "lastSeq" : 9, "firstOffset" : 52335, "lastOffset" : 52344,
 *                     "timestamp" : 1764558123456 } ]
 *   } ]
 * }
 * </pre>
 */
@JsonPropertyOrder({"version", "topic", "topicId", "partition", "endOffset", "producers"})
public record ProducerStateSnapshot(int version, String topic, String topicId, int partition, long endOffset,
                                    List<Producer> producers) {

    public static final int VERSION = 1;

    public ProducerStateSnapshot {
        producers = List.copyOf(producers);
    }

    /** One producer's state. */
    @JsonPropertyOrder({"producerId", "epoch", "lastTimestamp", "batches"})
    public record Producer(long producerId, short epoch, long lastTimestamp, List<Batch> batches) {
        public Producer {
            batches = List.copyOf(batches);
        }
    }

    /** One of a producer's last batches: its sequences, its offsets and its max timestamp. */
    @JsonPropertyOrder({"firstSeq", "lastSeq", "firstOffset", "lastOffset", "timestamp"})
    public record Batch(int firstSeq, int lastSeq, long firstOffset, long lastOffset, long timestamp) {
    }

    /** The snapshot of {@code entries}, producers sorted by id. */
    static ProducerStateSnapshot of(String topic, String topicId, int partition, long endOffset,
                                    List<ProducerStateEntry> entries) {
        List<Producer> producers = entries.stream()
                .sorted(Comparator.comparingLong(ProducerStateEntry::producerId))
                .map(e -> new Producer(e.producerId(), e.epoch(), e.lastTimestamp(), e.batches().stream()
                        .map(b -> new Batch(b.firstSeq(), b.lastSeq(), b.firstOffset(), b.lastOffset(), b.timestamp()))
                        .toList()))
                .toList();
        return new ProducerStateSnapshot(VERSION, topic, topicId, partition, endOffset, producers);
    }

    /** The entries of the catalog's producer state. */
    List<ProducerStateEntry> entries() {
        return producers.stream()
                .map(p -> new ProducerStateEntry(p.producerId(), p.epoch(), p.lastTimestamp(), p.batches().stream()
                        .map(b -> new BatchMetadata(b.firstSeq(), b.lastSeq(), b.firstOffset(), b.lastOffset(),
                                b.timestamp()))
                        .toList()))
                .toList();
    }

    public byte[] toJson() {
        return ManifestJson.write(this);
    }

    /** Parses a snapshot, rejecting versions this broker does not know. */
    public static ProducerStateSnapshot fromJson(byte[] json) {
        return ManifestJson.read(json, ProducerStateSnapshot.class, "producer state snapshot",
                ProducerStateSnapshot::version, VERSION);
    }
}
