package io.strata.index;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RemoteSegmentStoreTest extends IndexStoreTestSupport {

    private static RemoteSegment segment(long baseOffset, RemoteSegmentState state) {
        return new RemoteSegment(baseOffset, baseOffset + 100, 4096, 1_700_000_000_000L, 1_700_000_000_500L,
                baseOffset + 99, 0xCAFEBABE, state == RemoteSegmentState.COPY_STARTED ? -1 : 1_700_000_001_000L,
                state);
    }

    private void given(PartitionKey partition, RemoteSegment... segments) {
        write(batch -> {
            for (RemoteSegment segment : segments) {
                store.remoteSegments().put(batch, partition, segment);
            }
        });
    }

    @Test
    void everyFieldSurvivesAReopen() {
        RemoteSegment segment = segment(1L << 33, RemoteSegmentState.COPY_FINISHED);
        given(P0, segment);

        reopen();

        assertThat(store.remoteSegments().list(P0)).containsExactly(segment);
    }

    @Test
    void listIsOrderedByBaseOffsetAndPerPartition() {
        given(P0, segment(500, RemoteSegmentState.COPY_FINISHED), segment(0, RemoteSegmentState.COPY_FINISHED),
                segment(1L << 32, RemoteSegmentState.COPY_STARTED));
        given(P1, segment(100, RemoteSegmentState.DELETE_STARTED));

        assertThat(store.remoteSegments().list(P0)).extracting(RemoteSegment::baseOffset)
                .containsExactly(0L, 500L, 1L << 32);
        assertThat(store.remoteSegments().list(P1)).extracting(RemoteSegment::state)
                .containsExactly(RemoteSegmentState.DELETE_STARTED);
    }

    @Test
    void floorFindsTheSegmentThatWouldHoldAnOffset() {
        given(P0, segment(0, RemoteSegmentState.COPY_FINISHED), segment(100, RemoteSegmentState.COPY_FINISHED));

        assertThat(store.remoteSegments().floor(P0, 99)).map(RemoteSegment::baseOffset).contains(0L);
        assertThat(store.remoteSegments().floor(P0, 100)).map(RemoteSegment::baseOffset).contains(100L);
        assertThat(store.remoteSegments().floor(P1, 100)).isEmpty();
    }

    @Test
    void stateChangeReplacesTheEntryAndDeleteRemovesIt() {
        given(P0, segment(0, RemoteSegmentState.COPY_STARTED));
        given(P0, segment(0, RemoteSegmentState.COPY_FINISHED));
        assertThat(store.remoteSegments().list(P0)).extracting(RemoteSegment::state)
                .containsExactly(RemoteSegmentState.COPY_FINISHED);

        write(batch -> store.remoteSegments().delete(batch, P0, 0));

        assertThat(store.remoteSegments().list(P0)).isEmpty();
    }

    @Test
    void deletePartitionRemovesItsRemoteSegmentsOnly() {
        given(P0, segment(0, RemoteSegmentState.COPY_FINISHED));
        given(P1, segment(0, RemoteSegmentState.COPY_FINISHED));

        store.deletePartition(P0, true);

        assertThat(store.remoteSegments().list(P0)).isEmpty();
        assertThat(store.remoteSegments().list(P1)).hasSize(1);
    }
}
