package io.strata.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every per-partition store, queried for one partition, must neither see nor modify the entries of the
 * partitions whose keys sort right before and right after it, including partitions whose prefix ends
 * in 0xFF bytes (where the prefix's successor carries into earlier bytes).
 */
class PartitionIsolationTest extends IndexStoreTestSupport {

    /** {@code before < target < after} in key order, with nothing in between; {@code after} may be null. */
    record Neighbourhood(String name, PartitionKey before, PartitionKey target, PartitionKey after) {

        List<PartitionKey> neighbours() {
            List<PartitionKey> result = new ArrayList<>();
            result.add(before);
            if (after != null) {
                result.add(after);
            }
            return result;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Neighbourhood> neighbourhoods() {
        UUID lowAllOnes = new UUID(1, -1L);
        UUID afterLowAllOnes = new UUID(2, 0);
        UUID allOnes = new UUID(-1L, -1L);
        UUID beforeAllOnes = new UUID(-1L, -2L);
        return Stream.of(
                new Neighbourhood("adjacent partitions of one topic",
                        new PartitionKey(TOPIC, 0), new PartitionKey(TOPIC, 1), new PartitionKey(TOPIC, 2)),
                new Neighbourhood("same partition of consecutive topic ids",
                        new PartitionKey(TOPIC, 0), new PartitionKey(OTHER_TOPIC, 0),
                        new PartitionKey(new UUID(TOPIC.getMostSignificantBits(), TOPIC.getLeastSignificantBits() + 2), 0)),
                new Neighbourhood("partition 255 (prefix ends in FF)",
                        new PartitionKey(allOnes, 254), new PartitionKey(allOnes, 255), new PartitionKey(allOnes, 256)),
                new Neighbourhood("partition MAX_VALUE of a topic id ending in FF bytes",
                        new PartitionKey(lowAllOnes, Integer.MAX_VALUE - 1), new PartitionKey(lowAllOnes, Integer.MAX_VALUE),
                        new PartitionKey(afterLowAllOnes, 0)),
                new Neighbourhood("partition MAX_VALUE of the all-FF topic id",
                        new PartitionKey(allOnes, Integer.MAX_VALUE - 1), new PartitionKey(allOnes, Integer.MAX_VALUE), null),
                new Neighbourhood("partition 0 of the all-FF topic id",
                        new PartitionKey(beforeAllOnes, Integer.MAX_VALUE), new PartitionKey(allOnes, 0),
                        new PartitionKey(allOnes, 1)));
    }

    // ---- offset index ----

    private void fillOffsetIndex(Neighbourhood n) {
        write(batch -> {
            for (PartitionKey other : n.neighbours()) {
                store.offsetIndex().put(batch, other, 50, 0, 1);
                store.offsetIndex().put(batch, other, 300, 0, 2);
            }
            store.offsetIndex().put(batch, n.target(), 100, 0, 10);
            store.offsetIndex().put(batch, n.target(), 200, 0, 20);
        });
    }

    @ParameterizedTest
    @MethodSource("neighbourhoods")
    void offsetFloorBelowTheFirstEntryDoesNotFallIntoThePreviousPartition(Neighbourhood n) {
        fillOffsetIndex(n);

        assertThat(store.offsetIndex().floor(n.target(), 99)).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("neighbourhoods")
    void offsetCeilingAboveTheLastEntryDoesNotFallIntoTheNextPartition(Neighbourhood n) {
        fillOffsetIndex(n);

        assertThat(store.offsetIndex().ceiling(n.target(), 201)).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("neighbourhoods")
    void offsetLookupsOnAnEmptyPartitionFindNothing(Neighbourhood n) {
        write(batch -> n.neighbours().forEach(other -> store.offsetIndex().put(batch, other, 100, 0, 1)));

        assertThat(store.offsetIndex().floor(n.target(), Long.MAX_VALUE)).isEmpty();
        assertThat(store.offsetIndex().ceiling(n.target(), 0)).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("neighbourhoods")
    void offsetDeleteFromZeroAndDeleteBelowMaxLeaveNeighboursIntact(Neighbourhood n) {
        fillOffsetIndex(n);

        write(batch -> {
            store.offsetIndex().deleteFrom(batch, n.target(), 0);
            store.offsetIndex().deleteBelow(batch, n.target(), Long.MAX_VALUE);
        });

        assertThat(store.offsetIndex().ceiling(n.target(), 0)).isEmpty();
        for (PartitionKey other : n.neighbours()) {
            assertThat(store.offsetIndex().ceiling(other, 0)).contains(new OffsetPosition(50, 0, 1));
            assertThat(store.offsetIndex().floor(other, Long.MAX_VALUE)).contains(new OffsetPosition(300, 0, 2));
        }
    }

    // ---- time index ----

    private void fillTimeIndex(Neighbourhood n) {
        write(batch -> {
            for (PartitionKey other : n.neighbours()) {
                store.timeIndex().put(batch, other, Long.MIN_VALUE, 0);
                store.timeIndex().put(batch, other, Long.MAX_VALUE, 500);
            }
            store.timeIndex().put(batch, n.target(), 1000, 10);
            store.timeIndex().put(batch, n.target(), 2000, 20);
        });
    }

    @ParameterizedTest
    @MethodSource("neighbourhoods")
    void timeLastBeforeTheFirstEntryDoesNotFallIntoThePreviousPartition(Neighbourhood n) {
        fillTimeIndex(n);

        assertThat(store.timeIndex().lastBefore(n.target(), 1000)).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("neighbourhoods")
    void timeFirstAtOrAfterTheLastEntryDoesNotFallIntoTheNextPartition(Neighbourhood n) {
        fillTimeIndex(n);

        assertThat(store.timeIndex().firstAtOrAfter(n.target(), 2001)).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("neighbourhoods")
    void timeLastIsThePartitionsOwnNewestEntry(Neighbourhood n) {
        fillTimeIndex(n);

        assertThat(store.timeIndex().last(n.target())).contains(new TimeEntry(2000, 20));
    }

    @ParameterizedTest
    @MethodSource("neighbourhoods")
    void timeLookupsOnAnEmptyPartitionFindNothing(Neighbourhood n) {
        write(batch -> n.neighbours().forEach(other -> {
            store.timeIndex().put(batch, other, Long.MIN_VALUE, 0);
            store.timeIndex().put(batch, other, Long.MAX_VALUE, Long.MAX_VALUE);
        }));

        assertThat(store.timeIndex().last(n.target())).isEmpty();
        assertThat(store.timeIndex().lastBefore(n.target(), Long.MAX_VALUE)).isEmpty();
        assertThat(store.timeIndex().firstAtOrAfter(n.target(), Long.MIN_VALUE)).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("neighbourhoods")
    void timeDeletesLeaveNeighboursIntact(Neighbourhood n) {
        fillTimeIndex(n);

        write(batch -> {
            store.timeIndex().deleteFrom(batch, n.target(), 0);
            store.timeIndex().deleteBelow(batch, n.target(), Long.MAX_VALUE);
        });

        assertThat(store.timeIndex().last(n.target())).isEmpty();
        for (PartitionKey other : n.neighbours()) {
            assertThat(store.timeIndex().firstAtOrAfter(other, Long.MIN_VALUE)).contains(new TimeEntry(Long.MIN_VALUE, 0));
            assertThat(store.timeIndex().last(other)).contains(new TimeEntry(Long.MAX_VALUE, 500));
        }
    }

    // ---- segment catalog ----

    private static SegmentRecord segment(long baseOffset) {
        return new SegmentRecord(baseOffset, baseOffset + 10, 100, 5, baseOffset + 9, 7, SegmentState.SEALED);
    }

    @ParameterizedTest
    @MethodSource("neighbourhoods")
    void segmentListHoldsOnlyThePartitionsSegments(Neighbourhood n) {
        write(batch -> {
            for (PartitionKey other : n.neighbours()) {
                store.segments().put(batch, other, segment(0));
                store.segments().put(batch, other, segment(1000));
            }
            store.segments().put(batch, n.target(), segment(500));
        });

        assertThat(store.segments().list(n.target())).containsExactly(segment(500));
    }

    @ParameterizedTest
    @MethodSource("neighbourhoods")
    void segmentFloorBelowTheFirstSegmentDoesNotFallIntoThePreviousPartition(Neighbourhood n) {
        write(batch -> {
            for (PartitionKey other : n.neighbours()) {
                store.segments().put(batch, other, segment(0));
                store.segments().put(batch, other, segment(1000));
            }
            store.segments().put(batch, n.target(), segment(500));
        });

        assertThat(store.segments().floor(n.target(), 499)).isEmpty();
        assertThat(store.segments().floor(n.target(), Long.MAX_VALUE)).contains(segment(500));
    }

    // ---- producer state ----

    private static ProducerStateEntry producer(long id) {
        return new ProducerStateEntry(id, (short) 1, 42, List.of(new BatchMetadata(0, 1, id, id + 1, 42)));
    }

    @ParameterizedTest
    @MethodSource("neighbourhoods")
    void producerListHoldsOnlyThePartitionsProducers(Neighbourhood n) {
        write(batch -> {
            for (PartitionKey other : n.neighbours()) {
                store.producerStates().put(batch, other, producer(0));
                store.producerStates().put(batch, other, producer(-1));
            }
            store.producerStates().put(batch, n.target(), producer(7));
        });

        assertThat(store.producerStates().list(n.target())).containsExactly(producer(7));
    }

    @ParameterizedTest
    @MethodSource("neighbourhoods")
    void producerReplaceAllLeavesNeighboursIntact(Neighbourhood n) {
        write(batch -> {
            for (PartitionKey other : n.neighbours()) {
                store.producerStates().put(batch, other, producer(0));
                store.producerStates().put(batch, other, producer(-1));
            }
            store.producerStates().put(batch, n.target(), producer(7));
        });

        write(batch -> store.producerStates().replaceAll(batch, n.target(), List.of(producer(8))));

        assertThat(store.producerStates().list(n.target())).containsExactly(producer(8));
        for (PartitionKey other : n.neighbours()) {
            assertThat(store.producerStates().list(other)).containsExactly(producer(0), producer(-1));
        }
    }

    // ---- partition state ----

    @ParameterizedTest
    @MethodSource("neighbourhoods")
    void partitionStateOfOnePartitionIsInvisibleToItsNeighbours(Neighbourhood n) {
        write(batch -> store.partitionStates().put(batch, n.target(), new PartitionState(3, 9)));

        assertThat(store.partitionStates().get(n.target())).contains(new PartitionState(3, 9));
        for (PartitionKey other : n.neighbours()) {
            assertThat(store.partitionStates().get(other)).isEmpty();
        }
    }

    // ---- every family at once ----

    @ParameterizedTest
    @MethodSource("neighbourhoods")
    void deletePartitionLeavesNeighboursIntactInEveryFamily(Neighbourhood n) {
        List<PartitionKey> all = new ArrayList<>(n.neighbours());
        all.add(n.target());
        write(batch -> {
            for (PartitionKey key : all) {
                store.segments().put(batch, key, segment(0));
                store.offsetIndex().put(batch, key, 0, 0, 0);
                store.timeIndex().put(batch, key, 5, 0);
                store.producerStates().put(batch, key, producer(1));
                store.partitionStates().put(batch, key, new PartitionState(0, 1));
            }
        });

        store.deletePartition(n.target(), false);

        for (PartitionKey other : n.neighbours()) {
            assertThat(store.segments().list(other)).containsExactly(segment(0));
            assertThat(store.offsetIndex().floor(other, 0)).contains(new OffsetPosition(0, 0, 0));
            assertThat(store.timeIndex().last(other)).contains(new TimeEntry(5, 0));
            assertThat(store.producerStates().list(other)).containsExactly(producer(1));
            assertThat(store.partitionStates().get(other)).contains(new PartitionState(0, 1));
        }
        assertThat(store.segments().list(n.target())).isEmpty();
    }
}
