package io.strata.tiering.remote;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The index sidecar of a segment in the bucket ({@code {baseOffset:020d}.index}): the segment's
 * sparse offset and time index entries, so that a broker with an empty disk rebuilds its RocksDB
 * indexes from the bucket without downloading segments.
 *
 * <p>Byte layout, version 1, big-endian:
 * <pre>
 *   magic:4 ("SIDX") | version:1 (=1) | baseOffset:8 | nextOffset:8 | intervalBytes:4
 *   | offsetCount:4 | offsetCount x ( offset:8 | position:4 )
 *   | timeCount:4   | timeCount   x ( maxTimestamp:8 | offset:8 )
 *   | crc32c:4      (CRC-32C of every preceding byte)
 * </pre>
 * An offset entry (one per {@code intervalBytes} of batches) says the batch starting at
 * {@code offset} begins at byte {@code position} of the segment. There is a time entry for every
 * record that raises the segment's running maximum timestamp: the record at {@code offset} has
 * timestamp {@code maxTimestamp}, greater than every timestamp before it in the segment. The
 * reader combines them with the maximum of the segments before (see {@link
 * io.strata.index.TimeIndex}), which makes ListOffsets by timestamp exact without reading segments.
 */
public record SegmentSidecar(long baseOffset, long nextOffset, int intervalBytes, List<OffsetEntry> offsets,
                             List<TimeEntry> times) {

    private static final byte[] MAGIC = "SIDX".getBytes(StandardCharsets.US_ASCII);
    private static final byte VERSION = 1;
    private static final int HEADER = MAGIC.length + 1 + 8 + 8 + 4;

    public SegmentSidecar {
        offsets = List.copyOf(offsets);
        times = List.copyOf(times);
    }

    /** The batch starting at {@code offset} begins at byte {@code position}. */
    public record OffsetEntry(long offset, int position) {
    }

    /** Up to and including {@code offset}, the greatest timestamp within the segment is {@code maxTimestamp}. */
    public record TimeEntry(long maxTimestamp, long offset) {
    }

    public byte[] encode() {
        int size = HEADER + 4 + offsets.size() * 12 + 4 + times.size() * 16 + 4;
        ByteBuffer buffer = ByteBuffer.allocate(size);
        buffer.put(MAGIC).put(VERSION).putLong(baseOffset).putLong(nextOffset).putInt(intervalBytes);
        buffer.putInt(offsets.size());
        for (OffsetEntry entry : offsets) {
            buffer.putLong(entry.offset()).putInt(entry.position());
        }
        buffer.putInt(times.size());
        for (TimeEntry entry : times) {
            buffer.putLong(entry.maxTimestamp()).putLong(entry.offset());
        }
        buffer.putInt(crc(buffer.array(), size - 4));
        return buffer.array();
    }

    /** Parses a sidecar, checking its magic, version, lengths and checksum. */
    public static SegmentSidecar decode(byte[] bytes) {
        if (bytes.length < HEADER + 12) {
            throw new IllegalArgumentException("index sidecar too short: " + bytes.length + " bytes");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        byte[] magic = new byte[MAGIC.length];
        buffer.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new IllegalArgumentException("not an index sidecar (bad magic)");
        }
        byte version = buffer.get();
        if (version != VERSION) {
            throw new IllegalArgumentException("unsupported index sidecar version " + version);
        }
        int expectedCrc = ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
        if (crc(bytes, bytes.length - 4) != expectedCrc) {
            throw new IllegalArgumentException("index sidecar checksum mismatch");
        }
        long base = buffer.getLong();
        long next = buffer.getLong();
        int interval = buffer.getInt();
        int offsetCount = count(buffer, 12, bytes.length);
        List<OffsetEntry> offsets = new ArrayList<>(offsetCount);
        for (int i = 0; i < offsetCount; i++) {
            offsets.add(new OffsetEntry(buffer.getLong(), buffer.getInt()));
        }
        int timeCount = count(buffer, 16, bytes.length);
        List<TimeEntry> times = new ArrayList<>(timeCount);
        for (int i = 0; i < timeCount; i++) {
            times.add(new TimeEntry(buffer.getLong(), buffer.getLong()));
        }
        if (buffer.remaining() != 4) {
            throw new IllegalArgumentException("index sidecar has " + (buffer.remaining() - 4) + " trailing bytes");
        }
        return new SegmentSidecar(base, next, interval, offsets, times);
    }

    private static int count(ByteBuffer buffer, int entrySize, int total) {
        int count = buffer.getInt();
        if (count < 0 || (long) count * entrySize > buffer.remaining() - 4) {
            throw new IllegalArgumentException("index sidecar entry count " + count + " does not fit in " + total
                    + " bytes");
        }
        return count;
    }

    private static int crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }
}
