package io.strata.tiering.wal;

import io.strata.metadata.TopicPartitionId;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The byte layout of a write-ahead-log object ({@code wal/{nodeId}/{incarnation}/{sequence:020d}.wal}, see
 * {@code RemoteLayout}): the record batches that one broker appended to the partitions it leads during one linger,
 * many partitions per object. Written once with If-None-Match, never changed; the metadata database records which
 * byte range of it holds which offsets of which partition, so readers go straight to a range (a ranged GET) and
 * need the header only to list or check an object ({@code strata inspect}).
 *
 * <pre>
 * All integers big-endian. Version 1:
 *   offset  size  field
 *        0     4  magic 0x5357414C ("SWAL")
 *        4     2  version (1)
 *        6     4  header length H: bytes from offset 0 to the first data byte (the header CRC included)
 *       10     4  node id of the writer
 *       14    16  incarnation of the writer (most, then least significant 64 bits)
 *       30     8  sequence (per incarnation, from 0)
 *       38     8  created, milliseconds since the Unix epoch
 *       46     4  entry count N
 *       50  52*N  entries, one per partition, in (topic id, partition) order:
 *                   16 topic id (most, then least significant 64 bits)
 *                    4 partition
 *                    4 leader epoch the batches were appended at
 *                    8 base offset (first offset of the first batch)
 *                    8 end offset (one past the last offset of the last batch)
 *                    8 position of the entry's data (from offset 0 of the object)
 *                    4 length of the entry's data in bytes
 *  50+52*N     4  CRC32C of bytes 0 to 50+52*N (exclusive)
 *        H     -  data: each entry's Kafka record batches (magic 2, each with its own CRC) back to back, in entry
 *                 order; entry i's data starts where entry i-1's ends
 * </pre>
 */
public final class WalObject {

    public static final int MAGIC = 0x5357414C;
    public static final short VERSION = 1;
    static final int FIXED_HEADER = 50;
    static final int ENTRY_BYTES = 52;

    private WalObject() {
    }

    /** One partition's part of an object. */
    public record Entry(TopicPartitionId partition, int leaderEpoch, long baseOffset, long endOffset, long position,
                        int length) {
    }

    /** An object's header. */
    public record Header(int nodeId, UUID incarnation, long sequence, long createdMs, int headerLength,
                         List<Entry> entries) {
    }

    /** What goes into an object for one partition: its batches, already carrying their offsets, in offset order. */
    public record Part(TopicPartitionId partition, int leaderEpoch, long baseOffset, long endOffset,
                       List<ByteBuffer> batches) {
        public Part {
            Objects.requireNonNull(partition, "partition");
            batches = List.copyOf(batches);
        }

        int length() {
            int length = 0;
            for (ByteBuffer batch : batches) {
                length += batch.remaining();
            }
            return length;
        }
    }

    /** An encoded object: its bytes and, for each part (in the order given), where its data lies. */
    public record Encoded(byte[] bytes, Header header) {
    }

    /** The header length of an object with {@code entries} partitions. */
    public static int headerLength(int entries) {
        return FIXED_HEADER + ENTRY_BYTES * entries + 4;
    }

    /**
     * The header length that the first bytes of an object declare (the field at offset 6), so that a reader knows
     * how many bytes {@link #parseHeader} needs; empty when fewer than 10 bytes are given. Not checked: parse the
     * header to know whether it is one.
     */
    public static OptionalInt declaredHeaderLength(ByteBuffer prefix) {
        return prefix.remaining() < 10 ? OptionalInt.empty() : OptionalInt.of(prefix.getInt(prefix.position() + 6));
    }

    /**
     * Lays {@code parts} out as one object. The parts must name distinct partitions in (topic id, partition) order.
     */
    public static Encoded encode(int nodeId, UUID incarnation, long sequence, long createdMs, List<Part> parts) {
        int headerLength = headerLength(parts.size());
        long total = headerLength;
        for (Part part : parts) {
            total += part.length();
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a WAL object of " + total + " bytes is too large");
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) total);
        buffer.putInt(MAGIC).putShort(VERSION).putInt(headerLength).putInt(nodeId)
                .putLong(incarnation.getMostSignificantBits()).putLong(incarnation.getLeastSignificantBits())
                .putLong(sequence).putLong(createdMs).putInt(parts.size());
        List<Entry> entries = new ArrayList<>(parts.size());
        long position = headerLength;
        TopicPartitionId previous = null;
        for (Part part : parts) {
            if (previous != null && previous.compareTo(part.partition()) >= 0) {
                throw new IllegalArgumentException("WAL parts out of (topic id, partition) order: " + previous
                        + " then " + part.partition());
            }
            previous = part.partition();
            int length = part.length();
            Entry entry = new Entry(part.partition(), part.leaderEpoch(), part.baseOffset(), part.endOffset(),
                    position, length);
            entries.add(entry);
            buffer.putLong(entry.partition().topicId().getMostSignificantBits())
                    .putLong(entry.partition().topicId().getLeastSignificantBits())
                    .putInt(entry.partition().partition()).putInt(entry.leaderEpoch())
                    .putLong(entry.baseOffset()).putLong(entry.endOffset()).putLong(entry.position())
                    .putInt(entry.length());
            position += length;
        }
        buffer.putInt(crc(buffer.array(), 0, buffer.position()));
        for (Part part : parts) {
            for (ByteBuffer batch : part.batches()) {
                buffer.put(batch.duplicate());
            }
        }
        return new Encoded(buffer.array(), new Header(nodeId, incarnation, sequence, createdMs, headerLength,
                List.copyOf(entries)));
    }

    /**
     * Reads the header at the start of {@code object} (the whole object, or at least its first
     * {@link #headerLength} bytes).
     *
     * @throws IllegalArgumentException when the bytes are not a WAL object of a version this broker reads, or the
     *         header's checksum does not match
     */
    public static Header parseHeader(ByteBuffer object) {
        ByteBuffer buffer = object.duplicate();
        int start = buffer.position();
        if (buffer.remaining() < FIXED_HEADER + 4) {
            throw new IllegalArgumentException("too short for a WAL object header: " + buffer.remaining() + " bytes");
        }
        int magic = buffer.getInt();
        short version = buffer.getShort();
        if (magic != MAGIC) {
            throw new IllegalArgumentException(String.format("not a WAL object (magic 0x%08X)", magic));
        }
        if (version != VERSION) {
            throw new IllegalArgumentException("WAL object version " + version + " is not one this broker reads ("
                    + VERSION + ")");
        }
        int headerLength = buffer.getInt();
        int nodeId = buffer.getInt();
        UUID incarnation = new UUID(buffer.getLong(), buffer.getLong());
        long sequence = buffer.getLong();
        long createdMs = buffer.getLong();
        int count = buffer.getInt();
        // in long arithmetic: a damaged count of 2^30 gives the header length of 0 entries in int arithmetic
        if (count < 0 || headerLength != FIXED_HEADER + (long) ENTRY_BYTES * count + 4
                || object.remaining() < headerLength) {
            throw new IllegalArgumentException("corrupt WAL object header: " + count + " entries, header length "
                    + headerLength + ", " + object.remaining() + " bytes");
        }
        List<Entry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            TopicPartitionId partition = new TopicPartitionId(new UUID(buffer.getLong(), buffer.getLong()),
                    buffer.getInt());
            entries.add(new Entry(partition, buffer.getInt(), buffer.getLong(), buffer.getLong(), buffer.getLong(),
                    buffer.getInt()));
        }
        int stored = buffer.getInt();
        byte[] bytes = new byte[headerLength - 4];
        object.duplicate().position(start).get(bytes);
        if (stored != crc(bytes, 0, bytes.length)) {
            throw new IllegalArgumentException("corrupt WAL object header: checksum mismatch");
        }
        return new Header(nodeId, incarnation, sequence, createdMs, headerLength, List.copyOf(entries));
    }

    private static int crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
