package io.strata.broker;

import io.strata.tiering.wal.WalInspector;
import io.strata.tiering.wal.WalInspector.Batch;
import io.strata.tiering.wal.WalInspector.Decoded;
import io.strata.tiering.wal.WalInspector.DecodedEntry;
import io.strata.tiering.wal.WalInspector.Listed;
import io.strata.tiering.wal.WalObject;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What {@code strata inspect wal [KEY]} prints: every write-ahead-log object with its header, or one object decoded
 * down to its record batches. Topic ids are in Kafka's base64 form (as {@code inspect list} and
 * {@code kafka-topics --describe} show them); offset and byte ranges are inclusive.
 */
final class WalInspectOutput {

    private final WalInspector inspector;
    private final PrintStream out;

    WalInspectOutput(WalInspector inspector, PrintStream out) {
        this.inspector = inspector;
        this.out = out;
    }

    /** Lists every object under {@code wal/}; 1 when one of them cannot be read, else 0. */
    int list() {
        List<Listed> objects = inspector.list();
        out.printf("%d WAL object(s), %d bytes%n", objects.size(),
                objects.stream().mapToLong(l -> l.object().size()).sum());
        for (Listed listed : objects) {
            StringBuilder line = new StringBuilder(listed.object().key()).append("  ");
            listed.header().ifPresent(h -> line.append(header(h)).append("  "));
            line.append(listed.object().size()).append(" bytes");
            listed.damage().ifPresent(damage -> line.append("  PROBLEM: ").append(damage));
            out.println(line);
        }
        return objects.stream().anyMatch(l -> l.damage().isPresent()) ? 1 : 0;
    }

    /** Decodes the object under {@code key}: 0 when it is intact, 1 when damaged, 2 when there is none. */
    int decode(String key) {
        Optional<Decoded> found;
        try {
            found = inspector.decode(key);
        } catch (IllegalArgumentException e) {
            out.println(key + ": " + e.getMessage());
            return 1;
        }
        if (found.isEmpty()) {
            out.println("no object " + key + " in the bucket");
            return 2;
        }
        Decoded decoded = found.get();
        WalObject.Header header = decoded.header();
        out.printf("WAL object %s  %d bytes%n", key, decoded.object().size());
        out.printf("  %s  header %d bytes%s%n", header(header), header.headerLength(),
                decoded.key().isEmpty() ? "  (its key is not a WAL key)" : "");
        int problems = 0;
        for (DecodedEntry entry : decoded.entries()) {
            WalObject.Entry e = entry.entry();
            out.printf("  %s  leader epoch %d  offsets %d..%d  bytes %d..%d (%d)  %d batch(es)%n",
                    WalInspector.describe(e), e.leaderEpoch(), e.baseOffset(), e.endOffset() - 1, e.position(),
                    e.position() + e.length() - 1, e.length(), entry.batches().size());
            for (Batch b : entry.batches()) {
                out.printf("    batch offsets %d..%d  producer %d epoch %d  sequences %d..%d  %s record(s)  %d bytes"
                                + "  crc %s%n", b.baseOffset(), b.lastOffset(), b.producerId(), b.producerEpoch(),
                        b.baseSequence(), b.lastSequence(),
                        b.recordCount().isPresent() ? Integer.toString(b.recordCount().getAsInt()) : "?",
                        b.sizeInBytes(), b.crcValid() ? "valid" : "INVALID");
            }
            entry.problems().forEach(problem -> out.println("    PROBLEM " + problem));
            problems += entry.problems().size();
        }
        return problems == 0 ? 0 : 1;
    }

    private static String header(WalObject.Header h) {
        return String.format("node %d  incarnation %s  sequence %d  created %s  %d partition(s)", h.nodeId(),
                h.incarnation(), h.sequence(), Instant.ofEpochMilli(h.createdMs()), h.entries().size());
    }
}
