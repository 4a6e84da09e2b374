package io.strata.tiering.wal;

import io.strata.metadata.TopicPartitionId;
import io.strata.objectstore.ObjectInfo;
import io.strata.objectstore.ObjectNotFoundException;
import io.strata.objectstore.ObjectStore;
import io.strata.tiering.remote.BucketInspector.Problem;
import io.strata.tiering.remote.RemoteLayout;
import io.strata.tiering.remote.RemoteLayout.WalKey;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.RecordBatch;

/**
 * Reads the write-ahead-log objects under {@code wal/} the way a user would, from the bucket alone (no broker, no
 * metadata database): lists them with their headers ({@link #list}), decodes one down to its record batches
 * ({@link #decode}) and reports objects that are not WAL objects or cannot be read ({@link #verify}). Backs
 * {@code strata inspect wal} and {@code strata inspect verify}. Blocking.
 *
 * <p>Whether an object is still referenced by the metadata database is not checked here: that needs the database.
 */
public final class WalInspector {

    /** Bytes read from the start of an object to find its header (enough for 1,259 partitions). */
    private static final int HEADER_READ_BYTES = 64 * 1024;
    /** Objects read at once. */
    private static final int PARALLEL_READS = 16;

    private final ObjectStore store;

    public WalInspector(ObjectStore store) {
        this.store = store;
    }

    /** One object under {@code wal/}: what its key names and its header, or why either could not be read. */
    public record Listed(ObjectInfo object, Optional<WalKey> key, Optional<WalObject.Header> header,
                         Optional<String> damage) {
    }

    /** One record batch of an entry, as read from the object's bytes. */
    public record Batch(long baseOffset, long lastOffset, long producerId, short producerEpoch, int baseSequence,
                        int lastSequence, OptionalInt recordCount, boolean crcValid, int sizeInBytes) {
    }

    /** One header entry, its batches, and what is wrong with them (empty when nothing). */
    public record DecodedEntry(WalObject.Entry entry, List<Batch> batches, List<String> problems) {
    }

    /** A whole object decoded. */
    public record Decoded(ObjectInfo object, Optional<WalKey> key, WalObject.Header header,
                          List<DecodedEntry> entries) {
    }

    /** Every object under {@code wal/}, in key order. */
    public List<ObjectInfo> objects() {
        return store.listAll(RemoteLayout.WAL).join().stream()
                .sorted(Comparator.comparing(ObjectInfo::key)).toList();
    }

    /**
     * Every object under {@code wal/} with its header: one ranged GET each ({@value #PARALLEL_READS} at a time), none
     * for a key that is not a WAL key. An object deleted between the listing and its GET (collected meanwhile) is
     * left out.
     */
    public List<Listed> list() {
        return list(objects());
    }

    /** As {@link #list()}, for the objects under {@code prefix} (a broker's {@code wal/{nodeId}/}). */
    public List<Listed> list(String prefix) {
        return list(store.listAll(prefix).join());
    }

    private List<Listed> list(List<ObjectInfo> objects) {
        List<Listed> listed = new ArrayList<>(objects.size());
        for (int from = 0; from < objects.size(); from += PARALLEL_READS) {
            List<CompletableFuture<Optional<Listed>>> window = objects
                    .subList(from, Math.min(objects.size(), from + PARALLEL_READS)).stream().map(this::readListed)
                    .toList();
            window.forEach(read -> read.join().ifPresent(listed::add));
        }
        return listed;
    }

    private CompletableFuture<Optional<Listed>> readListed(ObjectInfo object) {
        Optional<WalKey> key = RemoteLayout.walKeyOf(object.key());
        if (key.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.of(new Listed(object, key, Optional.empty(),
                    Optional.of("not a write-ahead-log key (wal/{nodeId}/{incarnation}/{sequence:020d}.wal)"))));
        }
        return readHeader(object).thenApply(bytes -> {
            try {
                WalObject.Header header = WalObject.parseHeader(bytes);
                return Optional.of(new Listed(object, key, Optional.of(header), disagreement(key.get(), header)));
            } catch (IllegalArgumentException e) {
                return Optional.of(new Listed(object, key, Optional.empty(),
                        Optional.of("damaged header: " + e.getMessage())));
            }
        }).exceptionally(error -> {
            if (deleted(error)) {
                return Optional.empty();
            }
            throw error instanceof CompletionException c ? c : new CompletionException(error);
        });
    }

    private static boolean deleted(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof ObjectNotFoundException;
    }

    /** The first bytes of {@code object}, as many as its header declares when that is more than a first read. */
    private CompletableFuture<ByteBuffer> readHeader(ObjectInfo object) {
        if (object.size() == 0) {
            return CompletableFuture.completedFuture(ByteBuffer.allocate(0)); // no range to ask for
        }
        int first = (int) Math.min(object.size(), HEADER_READ_BYTES);
        return store.getRange(object.key(), 0, first).thenCompose(prefix -> {
            OptionalInt declared = WalObject.declaredHeaderLength(prefix);
            return declared.isPresent() && declared.getAsInt() > prefix.remaining()
                    && declared.getAsInt() <= object.size()
                    ? store.getRange(object.key(), 0, declared.getAsInt())
                    : CompletableFuture.completedFuture(prefix);
        });
    }

    /** What the header says that its key does not, or empty. */
    private static Optional<String> disagreement(WalKey key, WalObject.Header header) {
        WalKey said = new WalKey(header.nodeId(), header.incarnation(), header.sequence());
        return said.equals(key) ? Optional.empty() : Optional.of("header names node " + header.nodeId()
                + ", incarnation " + header.incarnation() + ", sequence " + header.sequence() + ", not its key");
    }

    /**
     * Decodes the object under {@code key} (one GET of the whole object): its header, and each entry's record
     * batches read from its byte range. Empty when there is no such object.
     *
     * @throws IllegalArgumentException when the object's header cannot be read (the message says why)
     */
    public Optional<Decoded> decode(String key) {
        Optional<ObjectInfo> object = store.head(key).join();
        if (object.isEmpty()) {
            return Optional.empty();
        }
        ByteBuffer bytes;
        try {
            bytes = ByteBuffer.wrap(store.get(key).join());
        } catch (CompletionException e) {
            if (deleted(e)) {
                return Optional.empty();
            }
            throw e;
        }
        WalObject.Header header;
        try {
            header = WalObject.parseHeader(bytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("damaged header: " + e.getMessage(), e);
        }
        List<DecodedEntry> entries = new ArrayList<>(header.entries().size());
        long expectedPosition = header.headerLength();
        for (WalObject.Entry entry : header.entries()) {
            entries.add(decodeEntry(bytes, entry, expectedPosition));
            expectedPosition = entry.position() + entry.length();
        }
        return Optional.of(new Decoded(object.get(), RemoteLayout.walKeyOf(key), header, List.copyOf(entries)));
    }

    /** An entry's batches from {@code object}'s bytes, with each disagreement between them and the header. */
    private static DecodedEntry decodeEntry(ByteBuffer object, WalObject.Entry entry, long expectedPosition) {
        List<String> problems = new ArrayList<>();
        if (entry.position() != expectedPosition) {
            problems.add("data at byte " + entry.position() + ", where the previous entry's data ends at "
                    + expectedPosition);
        }
        Optional<String> outside = outside(entry, object.limit());
        if (outside.isPresent()) {
            problems.add(outside.get());
            return new DecodedEntry(entry, List.of(), problems);
        }
        ByteBuffer data = object.duplicate().position((int) entry.position())
                .limit((int) entry.position() + entry.length()).slice();
        List<Batch> batches = new ArrayList<>();
        int read = 0;
        try {
            for (MutableRecordBatch batch : MemoryRecords.readableRecords(data).batches()) {
                Integer count = batch.countOrNull();
                batches.add(new Batch(batch.baseOffset(), batch.lastOffset(), batch.producerId(),
                        batch.producerEpoch(), batch.baseSequence(), batch.lastSequence(),
                        count == null ? OptionalInt.empty() : OptionalInt.of(count),
                        batch.magic() == RecordBatch.MAGIC_VALUE_V2 && batch.isValid(), batch.sizeInBytes()));
                read += batch.sizeInBytes();
            }
        } catch (KafkaException e) {
            problems.add("unreadable after " + batches.size() + " batch(es), at byte " + (entry.position() + read)
                    + ": " + e.getMessage());
            read = entry.length(); // the rest is already reported
        }
        if (read < entry.length()) {
            problems.add((entry.length() - read) + " byte(s) after the last batch that are not a whole batch");
        }
        checkOffsets(entry, batches, problems);
        return new DecodedEntry(entry, List.copyOf(batches), problems);
    }

    private static void checkOffsets(WalObject.Entry entry, List<Batch> batches, List<String> problems) {
        long next = entry.baseOffset();
        for (Batch batch : batches) {
            if (!batch.crcValid()) {
                problems.add("batch at offsets " + batch.baseOffset() + ".." + batch.lastOffset()
                        + " fails its CRC check (or is not a magic 2 batch)");
            }
            if (batch.baseOffset() != next) {
                problems.add("batch at offsets " + batch.baseOffset() + ".." + batch.lastOffset() + " where offset "
                        + next + " should start");
            }
            next = batch.lastOffset() + 1;
        }
        if (next != entry.endOffset() && !batches.isEmpty()) {
            problems.add("batches end at offset " + (next - 1) + ", the header says " + (entry.endOffset() - 1));
        }
    }

    /**
     * Checks every object under {@code wal/}: its key is a WAL key ({@code NOT_WAL}), its header parses and names
     * the writer, incarnation and sequence of its key, and its entries' byte ranges lie in the object
     * ({@code WAL_HEADER}); with {@code checksums} (one GET of each object) also that every entry holds whole
     * record batches with valid CRCs covering exactly its offsets ({@code WAL_DATA}).
     */
    public List<Problem> verify(boolean checksums) {
        List<Problem> problems = new ArrayList<>();
        for (Listed listed : list()) {
            String key = listed.object().key();
            if (listed.key().isEmpty()) {
                problems.add(new Problem("NOT_WAL", key, listed.damage().orElse("")));
                continue;
            }
            if (listed.header().isEmpty() || listed.damage().isPresent()) {
                problems.add(new Problem("WAL_HEADER", key, listed.damage().orElse("")));
                continue;
            }
            if (!checksums) {
                for (WalObject.Entry entry : listed.header().get().entries()) {
                    outside(entry, listed.object().size()).ifPresent(
                            problem -> problems.add(new Problem("WAL_HEADER", key, describe(entry) + ": " + problem)));
                }
                continue;
            }
            try {
                decode(key).ifPresent(decoded -> decoded.entries().forEach(entry -> entry.problems().forEach(
                        problem -> problems.add(new Problem("WAL_DATA", key, describe(entry.entry()) + ": "
                                + problem)))));
            } catch (IllegalArgumentException e) { // replaced since it was listed
                problems.add(new Problem("WAL_HEADER", key, e.getMessage()));
            }
        }
        return problems;
    }

    /** Why the entry's byte range does not lie inside an object of {@code size} bytes, or empty. */
    private static Optional<String> outside(WalObject.Entry entry, long size) {
        long end = entry.position() + entry.length();
        return entry.length() < 0 || entry.position() < 0 || end > size
                ? Optional.of("bytes " + entry.position() + " to " + end + " lie outside the object (" + size
                        + " bytes)")
                : Optional.empty();
    }

    /** {@code topic {base64 id} partition {n}}, as the header names an entry's partition. */
    public static String describe(WalObject.Entry entry) {
        return describe(entry.partition());
    }

    /** {@code topic {base64 id} partition {n}}. */
    public static String describe(TopicPartitionId partition) {
        return "topic " + RemoteLayout.kafkaId(partition.topicId()) + " partition " + partition.partition();
    }
}
