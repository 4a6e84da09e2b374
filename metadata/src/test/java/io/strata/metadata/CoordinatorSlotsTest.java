package io.strata.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CoordinatorSlotsTest {

    private final CoordinatorSlots slots = new CoordinatorSlots(UUID.randomUUID(), 50);

    @Test
    void aGroupAlwaysMapsToTheSameSlotOfTheInternalTopic() {
        assertThat(slots.slotOf("billing")).isEqualTo(slots.slotOf("billing"));
        assertThat(slots.slotOf("billing").topicId()).isEqualTo(slots.topicId());
        // "billing".hashCode() = -109829509 (Java's String hash): |-109829509| % 50 = 9
        assertThat(slots.slotOf("billing").partition()).isEqualTo(9);
    }

    @Test
    void negativeAndExtremeHashesStillGiveASlotInRange() {
        assertThat("polygenelubricants".hashCode()).isEqualTo(Integer.MIN_VALUE);
        assertThat(slots.slotOf("polygenelubricants").partition()).isZero();
        assertThat(slots.slotOf("a negative one").partition()).isBetween(0, 49);
    }

    @Test
    void groupsSpreadOverTheSlots() {
        Map<Integer, Integer> perSlot = new HashMap<>();
        for (int i = 0; i < 5000; i++) {
            perSlot.merge(slots.slotOf("group-" + i).partition(), 1, Integer::sum);
        }
        assertThat(perSlot).hasSize(50);
        assertThat(perSlot.values()).allSatisfy(n -> assertThat(n).isBetween(50, 150));
    }

    @Test
    void aSlotCountBelowOneIsRefused() {
        assertThatThrownBy(() -> new CoordinatorSlots(UUID.randomUUID(), 0))
                .hasMessageContaining("offsets.topic.num.partitions");
    }
}
