package io.strata.broker.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseOrdererTest {

    private final List<String> written = new ArrayList<>();
    private final ResponseOrderer<String> orderer = ResponseOrderer.writingTo(written::add);

    @Test
    void responsesCompletedInReverseOrderAreWrittenInRequestOrder() {
        ResponseOrderer.Slot first = orderer.reserve(10);
        ResponseOrderer.Slot second = orderer.reserve(10);
        ResponseOrderer.Slot third = orderer.reserve(10);

        orderer.complete(third, "c");
        orderer.complete(second, "b");
        assertThat(written).isEmpty();
        assertThat(orderer.pending()).isEqualTo(3);

        orderer.complete(first, "a");
        assertThat(written).containsExactly("a", "b", "c");
        assertThat(orderer.pending()).isZero();
    }

    @Test
    void headResponseIsWrittenAtOnce() {
        ResponseOrderer.Slot first = orderer.reserve(1);
        orderer.reserve(1);

        orderer.complete(first, "a");

        assertThat(written).containsExactly("a");
        assertThat(orderer.pending()).isEqualTo(1);
    }

    @Test
    void nullResponseFreesItsSlotWithoutWriting() {
        ResponseOrderer.Slot acksZero = orderer.reserve(1);
        ResponseOrderer.Slot next = orderer.reserve(1);

        orderer.complete(next, "b");
        orderer.complete(acksZero, null);

        assertThat(written).containsExactly("b");
        assertThat(orderer.pending()).isZero();
    }

    @Test
    void writerSeesEverySlotWithItsWeight() {
        List<Long> weights = new ArrayList<>();
        ResponseOrderer<String> weighing = new ResponseOrderer<>((slot, response) -> weights.add(slot.weight()));
        ResponseOrderer.Slot a = weighing.reserve(3);
        ResponseOrderer.Slot b = weighing.reserve(5);

        weighing.complete(b, null);
        weighing.complete(a, "a");

        assertThat(weights).containsExactly(3L, 5L);
    }

    @Test
    void completingTwiceIsABug() {
        ResponseOrderer.Slot slot = orderer.reserve(1);
        orderer.reserve(1);
        orderer.complete(slot, "a");

        assertThatThrownBy(() -> orderer.complete(slot, "again")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void completionsAfterClearAreIgnored() {
        ResponseOrderer.Slot slot = orderer.reserve(1);
        orderer.clear();

        orderer.complete(slot, "late");

        assertThat(written).isEmpty();
        assertThat(orderer.pending()).isZero();
    }
}
