package io.strata.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's RocksDB database: one column family per kind of entry, each owned by one typed store.
 *
 * <table>
 *   <caption>Column families</caption>
 *   <tr><th>column family</th><th>owner</th></tr>
 *   <tr><td>{@code segments}</td><td>{@link SegmentCatalog}</td></tr>
 *   <tr><td>{@code remote_segments}</td><td>{@link RemoteSegmentStore}</td></tr>
 *   <tr><td>{@code offset_index}</td><td>{@link OffsetIndex}</td></tr>
 *   <tr><td>{@code time_index}</td><td>{@link TimeIndex}</td></tr>
 *   <tr><td>{@code producer_state}</td><td>{@link ProducerStateStore}</td></tr>
 *   <tr><td>{@code partition_state}</td><td>{@link PartitionStateStore}</td></tr>
 *   <tr><td>{@code topics}</td><td>{@link TopicStore}</td></tr>
 *   <tr><td>{@code meta}</td><td>{@link MetaStore}</td></tr>
 *   <tr><td>{@code group_offsets}</td><td>{@link GroupOffsetStore}</td></tr>
 *   <tr><td>{@code topic_deletions}</td><td>{@link TopicDeletionStore}</td></tr>
 * </table>
 *
 * <p>Writes go through the write-ahead log without fsync unless a caller commits an
 * {@link IndexBatch} with {@code sync = true}; a synced write also makes every earlier write durable.
 * The partition log relies on that: it syncs its recovery point only after the segment data below
 * it is on disk, and rebuilds every index entry above the recovery point after a crash.
 *
 * <p>Thread-safe: RocksDB serializes writers internally; readers never block writers.
 */
public final class RocksDbIndexStore implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(RocksDbIndexStore.class);

    static final String CF_SEGMENTS = "segments";
    static final String CF_OFFSET_INDEX = "offset_index";
    static final String CF_TIME_INDEX = "time_index";
    static final String CF_PRODUCER_STATE = "producer_state";
    static final String CF_PARTITION_STATE = "partition_state";
    static final String CF_TOPICS = "topics";
    static final String CF_META = "meta";
    static final String CF_REMOTE_SEGMENTS = "remote_segments";
    static final String CF_GROUP_OFFSETS = "group_offsets";
    static final String CF_TOPIC_DELETIONS = "topic_deletions";
    static final String CF_CLUSTER = "cluster";
    static final List<String> FAMILIES = List.of(
            CF_SEGMENTS, CF_OFFSET_INDEX, CF_TIME_INDEX, CF_PRODUCER_STATE, CF_PARTITION_STATE, CF_TOPICS, CF_META,
            CF_REMOTE_SEGMENTS, CF_GROUP_OFFSETS, CF_TOPIC_DELETIONS, CF_CLUSTER);

    static {
        RocksDB.loadLibrary();
    }

    private final Path directory;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final RocksDB db;
    private final List<ColumnFamilyHandle> handles;
    private final WriteOptions asyncWrite;
    private final WriteOptions syncWrite;
    private final SegmentCatalog segments;
    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;
    private final ProducerStateStore producerStates;
    private final PartitionStateStore partitionStates;
    private final TopicStore topics;
    private final MetaStore meta;
    private final RemoteSegmentStore remoteSegments;
    private final GroupOffsetStore groupOffsets;
    private final TopicDeletionStore topicDeletions;
    private final RocksDbMetadataStore metadata;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final BeforeWrite beforeWrite;

    /**
     * Runs before every {@link IndexBatch} is applied. Production passes {@link #NO_FAULTS}; tests pass
     * one that throws, to fail a write exactly as RocksDB fails it (a full disk, an I/O error or a
     * failed sync of the write-ahead log all surface as a {@link RocksDBException} from the write).
     */
    @FunctionalInterface
    public interface BeforeWrite {
        void beforeWrite(boolean sync) throws RocksDBException;
    }

    public static final BeforeWrite NO_FAULTS = sync -> {
    };

    private RocksDbIndexStore(Path directory, DBOptions dbOptions, ColumnFamilyOptions cfOptions, RocksDB db,
                              List<ColumnFamilyHandle> handles, BeforeWrite beforeWrite) {
        this.directory = directory;
        this.beforeWrite = beforeWrite;
        this.dbOptions = dbOptions;
        this.cfOptions = cfOptions;
        this.db = db;
        this.handles = handles;
        this.asyncWrite = new WriteOptions();
        this.syncWrite = new WriteOptions().setSync(true);
        this.segments = new SegmentCatalog(this, handle(CF_SEGMENTS));
        this.offsetIndex = new OffsetIndex(this, handle(CF_OFFSET_INDEX));
        this.timeIndex = new TimeIndex(this, handle(CF_TIME_INDEX));
        this.producerStates = new ProducerStateStore(this, handle(CF_PRODUCER_STATE));
        this.partitionStates = new PartitionStateStore(this, handle(CF_PARTITION_STATE));
        this.topics = new TopicStore(this, handle(CF_TOPICS));
        this.meta = new MetaStore(this, handle(CF_META));
        this.remoteSegments = new RemoteSegmentStore(this, handle(CF_REMOTE_SEGMENTS));
        this.groupOffsets = new GroupOffsetStore(this, handle(CF_GROUP_OFFSETS));
        this.topicDeletions = new TopicDeletionStore(this, handle(CF_TOPIC_DELETIONS));
        this.metadata = new RocksDbMetadataStore(this, handle(CF_CLUSTER), System::currentTimeMillis);
    }

    /** Opens (creating if needed) the database in {@code directory}. */
    public static RocksDbIndexStore open(Path directory) {
        return open(directory, NO_FAULTS);
    }

    /** As {@link #open(Path)}, running {@code beforeWrite} before every write (the tests' fault seam). */
    public static RocksDbIndexStore open(Path directory, BeforeWrite beforeWrite) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create index directory " + directory, e);
        }
        DBOptions dbOptions = new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setMaxBackgroundJobs(2)
                .setKeepLogFileNum(3);
        ColumnFamilyOptions cfOptions = new ColumnFamilyOptions()
                .setWriteBufferSize(16L * 1024 * 1024);
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions));
        for (String family : FAMILIES) {
            descriptors.add(new ColumnFamilyDescriptor(family.getBytes(StandardCharsets.UTF_8), cfOptions));
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            RocksDB db = RocksDB.open(dbOptions, directory.toString(), descriptors, handles);
            LOGGER.debug("Opened RocksDB index store at {}", directory);
            return new RocksDbIndexStore(directory, dbOptions, cfOptions, db, handles, beforeWrite);
        } catch (RocksDBException e) {
            dbOptions.close();
            cfOptions.close();
            throw new IndexStoreException("cannot open RocksDB at " + directory + ": " + e.getMessage(), e);
        }
    }

    private ColumnFamilyHandle handle(String family) {
        return handles.get(FAMILIES.indexOf(family) + 1);
    }

    public Path directory() {
        return directory;
    }

    public SegmentCatalog segments() {
        return segments;
    }

    public OffsetIndex offsetIndex() {
        return offsetIndex;
    }

    public TimeIndex timeIndex() {
        return timeIndex;
    }

    public ProducerStateStore producerStates() {
        return producerStates;
    }

    public PartitionStateStore partitionStates() {
        return partitionStates;
    }

    public TopicStore topics() {
        return topics;
    }

    public MetaStore meta() {
        return meta;
    }

    public RemoteSegmentStore remoteSegments() {
        return remoteSegments;
    }

    public GroupOffsetStore groupOffsets() {
        return groupOffsets;
    }

    /** Single-broker mode's cluster metadata (the embedded {@code MetadataStore}). */
    public RocksDbMetadataStore metadata() {
        return metadata;
    }

    public TopicDeletionStore topicDeletions() {
        return topicDeletions;
    }

    /** A new, empty batch of writes; commit it with {@link IndexBatch#commit(boolean)}. */
    public IndexBatch newBatch() {
        return new IndexBatch(this);
    }

    /** Removes every entry of one partition from every per-partition column family, at once. */
    public void deletePartition(PartitionKey partition, boolean sync) {
        try (IndexBatch batch = newBatch()) {
            deletePartition(batch, partition);
            batch.commit(sync);
        }
    }

    /** Adds to {@code batch} the removal of every entry of one partition from every per-partition column family. */
    public void deletePartition(IndexBatch batch, PartitionKey partition) {
        segments.deletePartition(batch, partition);
        remoteSegments.deletePartition(batch, partition);
        offsetIndex.deleteFrom(batch, partition, 0);
        timeIndex.deletePartition(batch, partition);
        producerStates.deletePartition(batch, partition);
        partitionStates.delete(batch, partition);
    }

    RocksDB db() {
        return db;
    }

    /** Applies {@code batch} atomically, through the write-ahead log, synced when {@code sync}. */
    void write(WriteBatch batch, boolean sync) throws RocksDBException {
        beforeWrite.beforeWrite(sync);
        db.write(sync ? syncWrite : asyncWrite, batch);
    }

    /** Closes the database; later calls do nothing (a second native close would abort the JVM). */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            db.syncWal();
        } catch (RocksDBException e) {
            LOGGER.warn("Could not sync the RocksDB WAL at close: {}", e.getMessage());
        }
        for (ColumnFamilyHandle handle : handles) {
            handle.close();
        }
        db.close();
        asyncWrite.close();
        syncWrite.close();
        dbOptions.close();
        cfOptions.close();
    }
}
