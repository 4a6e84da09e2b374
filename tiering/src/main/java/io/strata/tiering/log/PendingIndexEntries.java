package io.strata.tiering.log;

import io.strata.index.IndexBatch;
import io.strata.index.OffsetPosition;
import io.strata.index.PartitionKey;
import io.strata.index.RocksDbIndexStore;
import io.strata.index.TimeEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The offset and time index entries of one partition's appends that are not in RocksDB yet. An append only
 * adds here; the log writes them all in one RocksDB batch when it checkpoints, rolls, closes, moves its log
 * start, or when {@link #size} reaches {@link SegmentIndexer#MAX_PENDING_ENTRIES}.
 *
 * <p>Each entry is one indexed batch: its offset entry ({@code baseOffset -> segmentBaseOffset, position}) and
 * its time entry ({@code maxTimestamp, lastOffset}, the running maximum). Entries are kept in append order,
 * which is also ascending order of offset and of (running max timestamp, offset), so lookups are binary
 * searches. They are all newer than the partition's entries in RocksDB (greater offsets, running maxima not
 * smaller), so a lookup answered here is the answer over both, and only a miss needs RocksDB.
 *
 * <p>Thread-safety: appends add, write and drop entries under the log's lock; lookups run concurrently, and
 * every method holds this object's monitor for a moment. An entry leaves only after RocksDB has it, so a
 * lookup never misses an entry that exists in neither place.
 */
final class PendingIndexEntries {

    /** The offset and time index entries of one indexed batch. */
    record Entry(long baseOffset, long segmentBaseOffset, int position, long maxTimestamp, long lastOffset) {

        OffsetPosition offsetEntry() {
            return new OffsetPosition(baseOffset, segmentBaseOffset, position);
        }

        TimeEntry timeEntry() {
            return new TimeEntry(maxTimestamp, lastOffset);
        }
    }

    private final List<Entry> entries = new ArrayList<>();

    synchronized void add(Entry entry) {
        entries.add(entry);
    }

    synchronized int size() {
        return entries.size();
    }

    /**
     * Adds every entry to {@code writes}; once the caller committed them, {@link #written} with the count
     * returned here lets them go.
     */
    synchronized int addTo(IndexBatch writes, RocksDbIndexStore store, PartitionKey partition) {
        for (Entry entry : entries) {
            store.offsetIndex().put(writes, partition, entry.baseOffset(), entry.segmentBaseOffset(),
                    entry.position());
            store.timeIndex().put(writes, partition, entry.maxTimestamp(), entry.lastOffset());
        }
        return entries.size();
    }

    /** The oldest {@code count} entries are in RocksDB now. */
    synchronized void written(int count) {
        entries.subList(0, count).clear();
    }

    /** Drops the entries of batches at or above {@code offset} (an append was undone). */
    synchronized void dropFrom(long offset) {
        int keep = entries.size();
        while (keep > 0 && entries.get(keep - 1).baseOffset() >= offset) {
            keep--;
        }
        entries.subList(keep, entries.size()).clear();
    }

    /** The offset entry with the greatest offset {@code <= offset}, if one is pending. */
    synchronized Optional<OffsetPosition> floor(long offset) {
        int count = leading(entry -> entry.baseOffset() <= offset);
        return count == 0 ? Optional.empty() : Optional.of(entries.get(count - 1).offsetEntry());
    }

    /** The time entry with the greatest running maximum strictly below {@code timestamp}, if one is pending. */
    synchronized Optional<TimeEntry> lastBefore(long timestamp) {
        int count = leading(entry -> entry.maxTimestamp() < timestamp);
        return count == 0 ? Optional.empty() : Optional.of(entries.get(count - 1).timeEntry());
    }

    /** How many entries from the oldest on satisfy {@code test}, which holds for the oldest ones only (a binary search). */
    private int leading(Predicate<Entry> test) {
        int low = 0;
        int high = entries.size();
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (test.test(entries.get(middle))) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low;
    }
}
