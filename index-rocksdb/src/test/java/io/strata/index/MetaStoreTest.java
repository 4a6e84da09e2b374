package io.strata.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MetaStoreTest extends IndexStoreTestSupport {

    @Test
    void firstProducerIdIsZero() {
        assertThat(store.meta().allocateProducerId()).isZero();
    }

    @Test
    void producerIdsAreStrictlyIncreasing() {
        long first = store.meta().allocateProducerId();
        long second = store.meta().allocateProducerId();
        long third = store.meta().allocateProducerId();

        assertThat(second).isGreaterThan(first);
        assertThat(third).isGreaterThan(second);
    }

    @Test
    void producerIdsKeepIncreasingAcrossCloseAndReopen() {
        long beforeClose = 0;
        for (int i = 0; i < 3; i++) {
            beforeClose = store.meta().allocateProducerId();
        }

        reopen();
        long afterReopen = store.meta().allocateProducerId();

        assertThat(afterReopen).isGreaterThan(beforeClose);
    }

    @Test
    void producerIdsKeepIncreasingAcrossSeveralReopens() {
        List<Long> ids = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            ids.add(store.meta().allocateProducerId());
            ids.add(store.meta().allocateProducerId());
            reopen();
        }

        assertThat(ids).isSorted().doesNotHaveDuplicates().hasSize(6);
    }

    @Test
    void concurrentAllocationsAreUnique() throws Exception {
        int threads = 2;
        int perThread = 50;
        Set<Long> ids = ConcurrentHashMap.newKeySet();
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(executor.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        ids.add(store.meta().allocateProducerId());
                    }
                }));
            }
            for (Future<?> future : futures) {
                future.get(30, TimeUnit.SECONDS);
            }
        } finally {
            executor.shutdownNow();
        }

        assertThat(ids).hasSize(threads * perThread);
        assertThat(store.meta().allocateProducerId()).isEqualTo(threads * perThread);
    }

    @Test
    void nextProducerIdIsStoredAsEightBigEndianBytes() {
        store.meta().allocateProducerId();
        store.meta().allocateProducerId();

        assertThat(rawEntries(RocksDbIndexStore.CF_META))
                .containsExactly(entry(HEX.formatHex(ascii("producer.id.next")), "0000000000000002"));
    }

    @Test
    void getStringOfAnUnknownNameIsEmpty() {
        assertThat(store.meta().getString("cluster.id")).isEmpty();
    }

    @Test
    void putStringThenGetStringRoundTrips() {
        store.meta().putString("cluster.id", "q1Sh-9_ISia_zwGINzRvyQ");

        assertThat(store.meta().getString("cluster.id")).contains("q1Sh-9_ISia_zwGINzRvyQ");
    }

    @Test
    void putStringReplacesThePreviousValue() {
        store.meta().putString("cluster.id", "first");

        store.meta().putString("cluster.id", "second");

        assertThat(store.meta().getString("cluster.id")).contains("second");
    }

    @Test
    void stringValuesAreUtf8() {
        store.meta().putString("note", "größe-日本");

        assertThat(store.meta().getString("note")).contains("größe-日本");
    }

    @Test
    void stringValuesSurviveReopen() {
        store.meta().putString("cluster.id", "q1Sh-9_ISia_zwGINzRvyQ");

        reopen();

        assertThat(store.meta().getString("cluster.id")).contains("q1Sh-9_ISia_zwGINzRvyQ");
    }

    @Test
    void stringsDoNotDisturbProducerIdAllocation() {
        store.meta().allocateProducerId();
        store.meta().putString("cluster.id", "abc");

        assertThat(store.meta().allocateProducerId()).isEqualTo(1);
    }
}
