package io.strata.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import org.junit.jupiter.api.Test;

class PartitionStateStoreTest extends IndexStoreTestSupport {

    @Test
    void getOfAnUnknownPartitionIsEmpty() {
        assertThat(store.partitionStates().get(P0)).isEmpty();
    }

    @Test
    void putThenGetRoundTripsBothPositions() {
        write(batch -> store.partitionStates().put(batch, P0, new PartitionState(1L << 33, (1L << 33) + 5000)));

        assertThat(store.partitionStates().get(P0)).contains(new PartitionState(1L << 33, (1L << 33) + 5000));
    }

    @Test
    void putReplacesThePreviousState() {
        write(batch -> store.partitionStates().put(batch, P0, new PartitionState(0, 10)));

        write(batch -> store.partitionStates().put(batch, P0, new PartitionState(5, 20)));

        assertThat(store.partitionStates().get(P0)).contains(new PartitionState(5, 20));
    }

    @Test
    void deleteRemovesTheState() {
        write(batch -> store.partitionStates().put(batch, P0, new PartitionState(0, 10)));

        write(batch -> store.partitionStates().delete(batch, P0));

        assertThat(store.partitionStates().get(P0)).isEmpty();
    }

    @Test
    void statesOfTwoPartitionsAreIndependent() {
        write(batch -> {
            store.partitionStates().put(batch, P0, new PartitionState(0, 10));
            store.partitionStates().put(batch, P1, new PartitionState(3, 30));
        });

        write(batch -> store.partitionStates().delete(batch, P0));

        assertThat(store.partitionStates().get(P1)).contains(new PartitionState(3, 30));
    }

    @Test
    void stateIsStoredAsDocumented() {
        write(batch -> store.partitionStates().put(batch, P0, new PartitionState(0, 5000)));

        assertThat(rawEntries(RocksDbIndexStore.CF_PARTITION_STATE)).containsExactly(
                entry(HEX.formatHex(P0.prefix()), "01" + "0000000000000000" + "0000000000001388"));
    }

    @Test
    void getRejectsAnUnknownVersionNamingThePartition() {
        rawPut(RocksDbIndexStore.CF_PARTITION_STATE, P0.prefix(), HEX.parseHex("02" + "00".repeat(16)));

        assertThatThrownBy(() -> store.partitionStates().get(P0))
                .isInstanceOf(IndexStoreException.class)
                .hasMessageContaining("version 2")
                .hasMessageContaining(P0.toString());
    }
}
