package io.strata.tiering.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.metadata.TopicPartitionId;
import io.strata.metadata.WalCommitOutcome;
import io.strata.metadata.WalObjectCommit;
import io.strata.metadata.WalRange;
import io.strata.objectstore.PutCondition;
import io.strata.tiering.remote.RemoteLayout;
import io.strata.tiering.testing.InMemoryObjectStore;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.Test;

/** Single-broker mode's WAL chain (CLUSTER.md rule 5): the bucket alone says what was committed. */
class WalChainTest {

    private static final int NODE = 7;
    private static final UUID FIRST = UUID.randomUUID();
    private static final UUID SECOND = UUID.randomUUID();
    private static final TopicPartitionId ORDERS = new TopicPartitionId(UUID.randomUUID(), 0);
    private static final TopicPartitionId CLICKS = new TopicPartitionId(UUID.randomUUID(), 0);

    private final InMemoryObjectStore bucket = new InMemoryObjectStore();

    @Test
    void anEmptyBucketStartsTheChainAtSequenceZero() {
        WalChain chain = WalChain.load(bucket, NODE);

        assertThat(chain.nextSequence()).isZero();
        assertThat(chain.committedEnd(ORDERS)).isEmpty();
    }

    @Test
    void theChainRunsUpToTheFirstGapAcrossIncarnationsAndWhatLiesAboveItIsDeleted() {
        put(FIRST, 3, part(ORDERS, 0, 2));
        put(FIRST, 4, part(ORDERS, 2, 5), part(CLICKS, 0, 1));
        put(SECOND, 5, part(ORDERS, 5, 6));
        put(SECOND, 7, part(ORDERS, 6, 9));
        put(FIRST, 1, part(CLICKS, 9, 10)); // objects 0 and 2 are gone: the chain is 1 alone

        WalChain chain = WalChain.load(bucket, NODE);

        // the run starts at the lowest sequence (1) and ends before the gap at 2: 3, 4, 5 and 7 lie above it
        assertThat(chain.nextSequence()).isEqualTo(2);
        assertThat(chain.committedEnd(CLICKS)).hasValue(10);
        assertThat(chain.committedEnd(ORDERS)).isEmpty();
        assertThat(bucket.snapshot().keySet()).containsExactly(RemoteLayout.walObject(NODE, FIRST, 1));
    }

    @Test
    void committedObjectsAreReadBackInOrderWithTheirRanges() {
        put(FIRST, 0, part(ORDERS, 0, 2));
        put(FIRST, 1, part(ORDERS, 2, 5), part(CLICKS, 0, 1));
        put(SECOND, 2, part(ORDERS, 5, 6));
        put(SECOND, 4, part(ORDERS, 6, 9));

        WalChain chain = WalChain.load(bucket, NODE);

        assertThat(chain.nextSequence()).isEqualTo(3);
        assertThat(chain.committedEnd(ORDERS)).hasValue(6);
        assertThat(chain.walRanges(ORDERS, 3)).extracting(WalRange::baseOffset, WalRange::endOffset)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(2L, 5L), org.assertj.core.groups.Tuple.tuple(5L, 6L));
        assertThat(bucket.bytes(RemoteLayout.walObject(NODE, SECOND, 4))).as("above the gap at 3").isEmpty();
    }

    @Test
    void twoObjectsWithOneSequenceRefuseTheLoad() {
        put(FIRST, 0, part(ORDERS, 0, 2));
        put(SECOND, 0, part(ORDERS, 0, 3));

        assertThatThrownBy(() -> WalChain.load(bucket, NODE)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("2 objects with sequence 0");
    }

    @Test
    void aDamagedObjectInTheChainRefusesTheLoad() {
        bucket.put(RemoteLayout.walObject(NODE, FIRST, 0), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},
                PutCondition.IF_ABSENT).join();

        assertThatThrownBy(() -> WalChain.load(bucket, NODE)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot be replayed");
    }

    @Test
    void commitsExtendTheChainOnlyAtItsNextSequenceAndARetryIsAnsweredTheSame() {
        put(FIRST, 0, part(ORDERS, 0, 2));
        WalChain chain = WalChain.load(bucket, NODE);
        WalObjectCommit next = commitOf(SECOND, 1, part(ORDERS, 2, 4), part(CLICKS, 0, 1));

        assertThat(chain.commit(next)).containsOnlyKeys(ORDERS, CLICKS)
                .allSatisfy((partition, outcome) -> assertThat(outcome).isEqualTo(WalCommitOutcome.COMMITTED));
        assertThat(chain.commit(next)).containsOnlyKeys(ORDERS, CLICKS);
        assertThat(chain.nextSequence()).isEqualTo(2);
        assertThat(chain.committedEnd(ORDERS)).hasValue(4);
        assertThatThrownBy(() -> chain.commit(commitOf(SECOND, 3, part(ORDERS, 4, 5))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("goes on at sequence 2");
    }

    @Test
    void collectionDeletesOnlyFromTheLowEndAndKeepsTheNewestObject() {
        put(FIRST, 0, part(ORDERS, 0, 2));
        put(FIRST, 1, part(CLICKS, 0, 3));
        put(FIRST, 2, part(ORDERS, 2, 4));
        WalChain chain = WalChain.load(bucket, NODE);

        // ORDERS is uploaded up to 4: object 0 is free, object 1 still holds CLICKS, object 2 is free but above it
        chain.release(ORDERS, 4);
        assertThat(chain.collect()).isEqualTo(1);
        assertThat(bucket.snapshot()).containsOnlyKeys(RemoteLayout.walObject(NODE, FIRST, 1),
                RemoteLayout.walObject(NODE, FIRST, 2), RemoteLayout.walFloor(NODE, 1));

        // CLICKS's topic is deleted: object 1 goes, the newest (2) stays to carry the sequence on; one floor is kept
        chain.forgetTopic(CLICKS.topicId());
        assertThat(chain.collect()).isEqualTo(1);
        assertThat(bucket.snapshot()).containsOnlyKeys(RemoteLayout.walObject(NODE, FIRST, 2),
                RemoteLayout.walFloor(NODE, 2));
        assertThat(WalChain.load(bucket, NODE).nextSequence()).isEqualTo(3);
    }

    @Test
    void theChainStartsAtTheCollectionFloorWhateverLandsBelowIt() {
        // Given a chain collected up to 50 (objects 50 and 51 remain)
        put(SECOND, 50, 200, part(ORDERS, 50, 52));
        put(SECOND, 51, 201, part(ORDERS, 52, 53));
        bucket.put(RemoteLayout.walFloor(NODE, 50), new byte[0], PutCondition.NONE).join();
        // When an earlier incarnation's PUT of sequence 9 lands late
        put(FIRST, 9, 150, part(CLICKS, 0, 1));

        WalChain chain = WalChain.load(bucket, NODE);

        assertThat(chain.nextSequence()).isEqualTo(52);
        assertThat(chain.committedEnd(ORDERS)).hasValue(53);
        assertThat(chain.committedEnd(CLICKS)).isEmpty();
        assertThat(bucket.bytes(RemoteLayout.walObject(NODE, FIRST, 9))).isEmpty();
    }

    @Test
    void aMissingObjectAtTheFloorRefusesTheLoadRatherThanDeleteWhatIsAbove() {
        put(SECOND, 51, part(ORDERS, 52, 53));
        bucket.put(RemoteLayout.walFloor(NODE, 50), new byte[0], PutCondition.NONE).join();

        assertThatThrownBy(() -> WalChain.load(bucket, NODE)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("collected up to sequence 50");
        assertThat(bucket.bytes(RemoteLayout.walObject(NODE, SECOND, 51))).isPresent();
    }

    @Test
    void aPartitionWhoseRangesAreReleasedHasNoCommittedEndInTheChain() {
        put(FIRST, 0, part(ORDERS, 0, 2), part(CLICKS, 0, 1));
        WalChain chain = WalChain.load(bucket, NODE);

        chain.release(ORDERS, 2);

        assertThat(chain.committedEnd(ORDERS)).isEmpty();
        assertThat(chain.walRanges(ORDERS, 0)).isEmpty();
        assertThat(chain.topics()).containsExactly(CLICKS.topicId());
    }

    private static WalObject.Part part(TopicPartitionId partition, long base, long end) {
        MemoryRecords records = MemoryRecords.withRecords(base, Compression.NONE, records(end - base));
        return new WalObject.Part(partition, 0, base, end, List.of(records.buffer()));
    }

    private static SimpleRecord[] records(long count) {
        List<SimpleRecord> records = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            records.add(new SimpleRecord(("v" + i).getBytes()));
        }
        return records.toArray(SimpleRecord[]::new);
    }

    private void put(UUID incarnation, long sequence, WalObject.Part... parts) {
        put(incarnation, sequence, 0, parts);
    }

    private void put(UUID incarnation, long sequence, long createdMs, WalObject.Part... parts) {
        WalObject.Encoded encoded = WalObject.encode(NODE, incarnation, sequence, createdMs, sorted(parts));
        bucket.put(RemoteLayout.walObject(NODE, incarnation, sequence), encoded.bytes(), PutCondition.IF_ABSENT)
                .join();
    }

    /** Parts in (topic id, partition) order, as an object lays them out. */
    private static List<WalObject.Part> sorted(WalObject.Part... parts) {
        return java.util.Arrays.stream(parts).sorted(java.util.Comparator.comparing(WalObject.Part::partition)).toList();
    }

    private static WalObjectCommit commitOf(UUID incarnation, long sequence, WalObject.Part... parts) {
        String key = RemoteLayout.walObject(NODE, incarnation, sequence);
        WalObject.Encoded encoded = WalObject.encode(NODE, incarnation, sequence, 0, sorted(parts));
        List<WalRange> ranges = encoded.header().entries().stream().map(e -> new WalRange(e.partition(),
                e.leaderEpoch(), e.baseOffset(), e.endOffset(), key, e.position(), e.length(), List.of())).toList();
        return new WalObjectCommit(key, NODE, incarnation, encoded.bytes().length, ranges);
    }
}
