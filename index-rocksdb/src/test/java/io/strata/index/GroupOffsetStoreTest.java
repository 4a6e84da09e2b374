package io.strata.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GroupOffsetStoreTest extends IndexStoreTestSupport {

    private static GroupOffset offset(String group, String topic, int partition, long offset) {
        return new GroupOffset(group, topic, partition, offset, OptionalInt.of(0), Optional.of("m"), 1_700_000_000_000L);
    }

    @Test
    void keyAndValueFollowTheDocumentedLayout() {
        write(batch -> store.groupOffsets().put(batch, offset("g1", "orders", 3, 42)));

        assertThat(rawEntries(RocksDbIndexStore.CF_GROUP_OFFSETS)).containsExactly(java.util.Map.entry(
                "0002 6731 0006 6F7264657273 00000003".replace(" ", ""),
                "01 000000000000002A 00000000 0000018BCFE56800 00000001 6D".replace(" ", "")));
    }

    @Test
    void offsetsRoundTripWithAndWithoutEpochAndMetadata() {
        GroupOffset bare = new GroupOffset("g", "t", 0, 7, OptionalInt.empty(), Optional.empty(), 5);
        GroupOffset full = new GroupOffset("g", "t", 1, 8, OptionalInt.of(3), Optional.of("zé"), 6);

        write(batch -> {
            store.groupOffsets().put(batch, bare);
            store.groupOffsets().put(batch, full);
        });

        assertThat(store.groupOffsets().list("g")).containsExactly(bare, full);
    }

    @Test
    void groupsAreIsolatedEvenWhenOneIdIsAPrefixOfAnother() {
        write(batch -> {
            store.groupOffsets().put(batch, offset("g", "t", 0, 1));
            store.groupOffsets().put(batch, offset("g2", "t", 0, 2));
        });

        assertThat(store.groupOffsets().list("g")).extracting(GroupOffset::offset).containsExactly(1L);
        assertThat(store.groupOffsets().groups()).containsExactly("g", "g2");
    }

    @Test
    void deleteGroupRemovesOnlyThatGroup() {
        write(batch -> {
            store.groupOffsets().put(batch, offset("a", "t", 0, 1));
            store.groupOffsets().put(batch, offset("b", "t", 0, 2));
        });

        write(batch -> store.groupOffsets().deleteGroup(batch, "a"));

        assertThat(store.groupOffsets().listAll()).extracting(GroupOffset::group).containsExactly("b");
    }

    @Test
    void deleteTopicRemovesThatTopicFromEveryGroup() {
        write(batch -> {
            store.groupOffsets().put(batch, offset("a", "gone", 0, 1));
            store.groupOffsets().put(batch, offset("a", "kept", 0, 1));
            store.groupOffsets().put(batch, offset("b", "gone", 5, 2));
            store.groupOffsets().put(batch, offset("c", "kept", 0, 3));
        });

        Set<String> affected = new HashSet<>();
        write(batch -> affected.addAll(store.groupOffsets().deleteTopic(batch, "gone")));

        assertThat(store.groupOffsets().listAll()).extracting(GroupOffset::topic).containsExactly("kept", "kept");
        assertThat(affected).as("the groups that had offsets of the topic").containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void offsetsSurviveReopening() {
        write(batch -> store.groupOffsets().put(batch, offset("g", "t", 2, 99)));

        reopen();

        assertThat(store.groupOffsets().list("g")).containsExactly(offset("g", "t", 2, 99));
    }
}
