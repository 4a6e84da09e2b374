package io.strata.index;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.rocksdb.ColumnFamilyHandle;

/**
 * Committed offsets of consumer groups (column family {@code group_offsets}).
 *
 * <p>Key layout: {@code groupLength:2 | group (UTF-8) | topicLength:2 | topic (UTF-8) | partition:4}, lengths and
 * partition big-endian, so all offsets of one group share the prefix {@code groupLength | group} and sort by topic,
 * then partition. Value layout (version 1):
 * <pre>
 *   version:1 (=1) | offset:8 | leaderEpoch:4 (-1 = none) | commitTimestampMs:8 | metadataLength:4 (-1 = none)
 *   | metadata (UTF-8)
 * </pre>
 * Example: group {@code g1} committed offset 42 of {@code orders-3} with leader epoch 0, metadata {@code "m"} at
 * 1700000000000: key {@code 0002 6731 0006 6F7264657273 00000003}, value
 * {@code 01 000000000000002A 00000000 0000018BCFE56800 00000001 6D}.
 *
 * <p>Thread-safe.
 */
public final class GroupOffsetStore extends ColumnFamilyStore {

    private static final byte VERSION = 1;

    GroupOffsetStore(RocksDbIndexStore store, ColumnFamilyHandle family) {
        super(store, family);
    }

    private static byte[] groupPrefix(String group) {
        byte[] name = group.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + name.length).putShort(checkedLength(name)).put(name).array();
    }

    private static byte[] key(String group, String topic, int partition) {
        byte[] prefix = groupPrefix(group);
        byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(prefix.length + 2 + topicBytes.length + 4)
                .put(prefix).putShort(checkedLength(topicBytes)).put(topicBytes).putInt(partition).array();
    }

    private static short checkedLength(byte[] text) {
        if (text.length > Short.MAX_VALUE) {
            throw new IllegalArgumentException("name longer than " + Short.MAX_VALUE + " bytes");
        }
        return (short) text.length;
    }

    static byte[] encode(GroupOffset offset) {
        byte[] metadata = offset.metadata().map(m -> m.getBytes(StandardCharsets.UTF_8)).orElse(null);
        ByteBuffer value = ByteBuffer.allocate(1 + 8 + 4 + 8 + 4 + (metadata == null ? 0 : metadata.length));
        value.put(VERSION).putLong(offset.offset()).putInt(offset.leaderEpoch().orElse(-1))
                .putLong(offset.commitTimestampMs()).putInt(metadata == null ? -1 : metadata.length);
        if (metadata != null) {
            value.put(metadata);
        }
        return value.array();
    }

    static GroupOffset decode(byte[] key, byte[] value) {
        ByteBuffer k = ByteBuffer.wrap(key);
        String group = readString(k);
        String topic = readString(k);
        int partition = k.getInt();
        ByteBuffer v = ByteBuffer.wrap(value);
        byte version = v.get();
        if (version != VERSION) {
            throw new IndexStoreException("unsupported group offset version " + version);
        }
        long offset = v.getLong();
        int epoch = v.getInt();
        long timestamp = v.getLong();
        int metadataLength = v.getInt();
        Optional<String> metadata = Optional.empty();
        if (metadataLength >= 0) {
            byte[] bytes = new byte[metadataLength];
            v.get(bytes);
            metadata = Optional.of(new String(bytes, StandardCharsets.UTF_8));
        }
        return new GroupOffset(group, topic, partition, offset, epoch < 0 ? OptionalInt.empty() : OptionalInt.of(epoch),
                metadata, timestamp);
    }

    private static String readString(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.getShort()];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    public void put(IndexBatch batch, GroupOffset offset) {
        batch.put(family, key(offset.group(), offset.topic(), offset.partition()), encode(offset));
    }

    public void delete(IndexBatch batch, String group, String topic, int partition) {
        batch.delete(family, key(group, topic, partition));
    }

    /** Adds the removal of every offset of {@code group}. */
    public void deleteGroup(IndexBatch batch, String group) {
        byte[] prefix = groupPrefix(group);
        batch.deleteRange(family, prefix, Keys.increment(prefix));
    }

    /**
     * Adds the removal of every group's offsets of {@code topic} (a scan of the whole family); returns the groups that
     * had offsets of it.
     */
    public Set<String> deleteTopic(IndexBatch batch, String topic) {
        Set<String> groups = new LinkedHashSet<>();
        for (GroupOffset offset : listAll()) {
            if (offset.topic().equals(topic)) {
                delete(batch, offset.group(), offset.topic(), offset.partition());
                groups.add(offset.group());
            }
        }
        return groups;
    }

    /** Every offset of {@code group}, by topic and partition. */
    public List<GroupOffset> list(String group) {
        return scan(groupPrefix(group), GroupOffsetStore::decode);
    }

    /** Every offset of every group, by group, topic and partition. */
    public List<GroupOffset> listAll() {
        return scanAll(GroupOffsetStore::decode);
    }

    /** The ids of the groups that have at least one committed offset, in key order. */
    public List<String> groups() {
        LinkedHashSet<String> groups = new LinkedHashSet<>();
        for (GroupOffset offset : listAll()) {
            groups.add(offset.group());
        }
        return new ArrayList<>(groups);
    }

    @Override
    protected String name() {
        return RocksDbIndexStore.CF_GROUP_OFFSETS;
    }
}
