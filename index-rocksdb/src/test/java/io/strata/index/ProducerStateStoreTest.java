package io.strata.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProducerStateStoreTest extends IndexStoreTestSupport {

    private static ProducerStateEntry withBatches(long producerId, int batchCount) {
        List<BatchMetadata> batches = new ArrayList<>();
        for (int i = 0; i < batchCount; i++) {
            int firstSeq = Integer.MAX_VALUE - 100 + i * 10;
            batches.add(new BatchMetadata(firstSeq, firstSeq + 9, (1L << 32) + i * 10L, (1L << 32) + i * 10L + 9,
                    1_700_000_000_000L + i));
        }
        return new ProducerStateEntry(producerId, (short) (300 + batchCount), 1_700_000_000_000L + batchCount, batches);
    }

    private static byte[] key(long producerId) {
        return ByteBuffer.allocate(PartitionKey.LENGTH + Long.BYTES).put(P0.prefix()).putLong(producerId).array();
    }

    @Test
    void entryWithNoBatchesRoundTrips() {
        ProducerStateEntry entry = withBatches(7, 0);

        write(batch -> store.producerStates().put(batch, P0, entry));

        assertThat(store.producerStates().list(P0)).containsExactly(entry);
    }

    @Test
    void entryWithFiveBatchesRoundTripsEveryFieldInOrder() {
        ProducerStateEntry entry = withBatches(7, 5);

        write(batch -> store.producerStates().put(batch, P0, entry));

        assertThat(store.producerStates().list(P0)).singleElement().satisfies(read -> {
            assertThat(read).isEqualTo(entry);
            assertThat(read.batches()).hasSize(5).isEqualTo(entry.batches());
        });
    }

    @Test
    void negativeEpochAndTimestampRoundTrip() {
        ProducerStateEntry entry = new ProducerStateEntry(Long.MAX_VALUE, (short) -1, -1,
                List.of(new BatchMetadata(-1, -1, 0, 0, Long.MIN_VALUE)));

        ProducerStateEntry decoded = ProducerStateStore.decode(key(Long.MAX_VALUE), ProducerStateStore.encode(entry));

        assertThat(decoded).isEqualTo(entry);
    }

    @Test
    void maxEpochRoundTrips() {
        ProducerStateEntry entry = new ProducerStateEntry(0, Short.MAX_VALUE, 0, List.of());

        ProducerStateEntry decoded = ProducerStateStore.decode(key(0), ProducerStateStore.encode(entry));

        assertThat(decoded.epoch()).isEqualTo(Short.MAX_VALUE);
    }

    @Test
    void encodeMatchesTheDocumentedExample() {
        ProducerStateEntry entry = new ProducerStateEntry(7, (short) 0, 1_700_000_000_000L,
                List.of(new BatchMetadata(0, 9, 100, 109, 1_700_000_000_000L)));

        byte[] value = ProducerStateStore.encode(entry);

        assertThat(HEX.formatHex(value)).isEqualTo("01" + "0000" + "0000018BCFE56800" + "01" + "00000000" + "00000009"
                + "0000000000000064" + "000000000000006D" + "0000018BCFE56800");
    }

    @Test
    void encodedLengthGrowsBy32BytesPerBatch() {
        assertThat(ProducerStateStore.encode(withBatches(1, 0))).hasSize(12);
        assertThat(ProducerStateStore.encode(withBatches(1, 5))).hasSize(12 + 5 * 32);
    }

    @Test
    void decodeRejectsAnUnknownVersion() {
        byte[] value = ProducerStateStore.encode(withBatches(1, 1));
        value[0] = 0;

        assertThatThrownBy(() -> ProducerStateStore.decode(key(1), value))
                .isInstanceOf(IndexStoreException.class)
                .hasMessageContaining("version 0");
    }

    @Test
    void listIsOrderedByProducerId() {
        write(batch -> {
            store.producerStates().put(batch, P0, withBatches(300, 1));
            store.producerStates().put(batch, P0, withBatches(2, 1));
            store.producerStates().put(batch, P0, withBatches(1L << 40, 1));
        });

        assertThat(store.producerStates().list(P0)).extracting(ProducerStateEntry::producerId)
                .containsExactly(2L, 300L, 1L << 40);
    }

    @Test
    void listOfAnUnknownPartitionIsEmpty() {
        assertThat(store.producerStates().list(P0)).isEmpty();
    }

    @Test
    void putOfAKnownProducerReplacesItsEntry() {
        write(batch -> store.producerStates().put(batch, P0, withBatches(7, 1)));

        write(batch -> store.producerStates().put(batch, P0, withBatches(7, 3)));

        assertThat(store.producerStates().list(P0)).containsExactly(withBatches(7, 3));
    }

    @Test
    void deleteRemovesOnlyThatProducer() {
        write(batch -> {
            store.producerStates().put(batch, P0, withBatches(1, 1));
            store.producerStates().put(batch, P0, withBatches(2, 1));
        });

        write(batch -> store.producerStates().delete(batch, P0, 1));

        assertThat(store.producerStates().list(P0)).containsExactly(withBatches(2, 1));
    }

    @Test
    void replaceAllInOneBatchKeepsThePutsAfterTheRangeDelete() {
        write(batch -> {
            store.producerStates().put(batch, P0, withBatches(1, 1));
            store.producerStates().put(batch, P0, withBatches(2, 1));
        });

        write(batch -> store.producerStates().replaceAll(batch, P0, List.of(withBatches(2, 5), withBatches(3, 0))));

        assertThat(store.producerStates().list(P0)).containsExactly(withBatches(2, 5), withBatches(3, 0));
    }

    @Test
    void replaceAllKeepsThePutsAfterReopen() {
        write(batch -> store.producerStates().put(batch, P0, withBatches(1, 1)));
        write(batch -> store.producerStates().replaceAll(batch, P0, List.of(withBatches(1, 2), withBatches(4, 0))));

        reopen();

        assertThat(store.producerStates().list(P0)).containsExactly(withBatches(1, 2), withBatches(4, 0));
    }

    @Test
    void replaceAllOnAnEmptyPartitionWritesTheEntries() {
        write(batch -> store.producerStates().replaceAll(batch, P0, List.of(withBatches(9, 2))));

        assertThat(store.producerStates().list(P0)).containsExactly(withBatches(9, 2));
    }

    @Test
    void replaceAllWithNoEntriesClearsThePartition() {
        write(batch -> store.producerStates().put(batch, P0, withBatches(1, 1)));

        write(batch -> store.producerStates().replaceAll(batch, P0, List.of()));

        assertThat(store.producerStates().list(P0)).isEmpty();
    }

    @Test
    void replaceAllDiscardsPutsEarlierInTheSameBatch() {
        write(batch -> {
            store.producerStates().put(batch, P0, withBatches(1, 1));
            store.producerStates().replaceAll(batch, P0, List.of(withBatches(2, 1)));
        });

        assertThat(store.producerStates().list(P0)).containsExactly(withBatches(2, 1));
    }

    @Test
    void replaceAllAddsOneRangeDeletePlusOnePutPerEntry() {
        try (IndexBatch batch = store.newBatch()) {
            store.producerStates().replaceAll(batch, P0, List.of(withBatches(1, 0), withBatches(2, 0)));

            assertThat(batch.size()).isEqualTo(3);
        }
    }

    @Test
    void entryIsStoredUnderPrefixAndBigEndianProducerId() {
        write(batch -> store.producerStates().put(batch, P0, withBatches(7, 0)));

        assertThat(rawEntries(RocksDbIndexStore.CF_PRODUCER_STATE)).containsExactly(
                entry(HEX.formatHex(P0.prefix()) + "0000000000000007", HEX.formatHex(ProducerStateStore.encode(withBatches(7, 0)))));
    }

    @Test
    void entryCopiesItsBatchList() {
        List<BatchMetadata> batches = new ArrayList<>(List.of(new BatchMetadata(0, 1, 2, 3, 4)));
        ProducerStateEntry entry = new ProducerStateEntry(1, (short) 0, 0, batches);

        batches.clear();

        assertThat(entry.batches()).hasSize(1);
        assertThatThrownBy(() -> entry.batches().clear()).isInstanceOf(UnsupportedOperationException.class);
    }
}
