package io.strata.tiering.wal;

import static io.strata.tiering.testing.WalObjectFixture.INCARNATION;
import static io.strata.tiering.testing.WalObjectFixture.PRODUCER_ID;
import static io.strata.tiering.testing.WalObjectFixture.key;
import static io.strata.tiering.testing.WalObjectFixture.twoPartitions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.objectstore.ObjectInfo;
import io.strata.objectstore.ObjectStore;
import io.strata.objectstore.PutCondition;
import io.strata.tiering.remote.BucketInspector.Problem;
import io.strata.tiering.testing.InMemoryObjectStore;
import io.strata.tiering.wal.WalInspector.Batch;
import io.strata.tiering.wal.WalInspector.Decoded;
import io.strata.tiering.wal.WalInspector.DecodedEntry;
import io.strata.tiering.wal.WalInspector.Listed;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@link WalInspector} over objects written by {@link WalObject#encode}, intact and damaged (unit test). */
class WalInspectorTest {

    private final InMemoryObjectStore store = new InMemoryObjectStore();
    private final WalInspector inspector = new WalInspector(store);

    private void put(String key, byte[] bytes) {
        store.put(key, bytes, PutCondition.NONE).join();
    }

    @Test
    void listsEachObjectWithTheWriterAndPartitionsItsHeaderNames() {
        put(key(0), twoPartitions(0).bytes());
        put(key(1), twoPartitions(1).bytes());

        List<Listed> listed = inspector.list();

        assertThat(listed).extracting(l -> l.object().key()).containsExactly(key(0), key(1));
        assertThat(listed.get(1).damage()).isEmpty();
        assertThat(listed.get(1).header()).hasValueSatisfying(header -> {
            assertThat(header.nodeId()).isEqualTo(1);
            assertThat(header.incarnation()).isEqualTo(INCARNATION);
            assertThat(header.sequence()).isEqualTo(1);
            assertThat(header.entries()).hasSize(2);
        });
    }

    @Test
    void decodesEveryBatchOfEveryEntryFromTheObjectsBytes() {
        WalObject.Encoded encoded = twoPartitions(0);
        put(key(0), encoded.bytes());

        Decoded decoded = inspector.decode(key(0)).orElseThrow();

        assertThat(decoded.header()).isEqualTo(encoded.header());
        DecodedEntry first = decoded.entries().get(0);
        assertThat(first.problems()).isEmpty();
        assertThat(first.batches()).containsExactly(
                new Batch(10, 11, PRODUCER_ID, (short) 2, 0, 1, OptionalInt.of(2), true,
                        first.batches().get(0).sizeInBytes()),
                new Batch(12, 14, PRODUCER_ID, (short) 2, 2, 4, OptionalInt.of(3), true,
                        first.batches().get(1).sizeInBytes()));
        assertThat(decoded.entries().get(1).batches()).singleElement()
                .satisfies(b -> assertThat(b.lastOffset()).isEqualTo(2));
        assertThat(inspector.verify(true)).isEmpty();
    }

    @Test
    void aFlippedByteInABatchIsACrcFailureOfThatBatch() {
        WalObject.Encoded encoded = twoPartitions(0);
        byte[] bytes = encoded.bytes();
        WalObject.Entry second = encoded.header().entries().get(1);
        bytes[(int) second.position() + second.length() - 1] ^= 0x55; // the last record's value
        put(key(0), bytes);

        Decoded decoded = inspector.decode(key(0)).orElseThrow();
        List<Problem> problems = inspector.verify(true);

        assertThat(decoded.entries().get(0).problems()).isEmpty();
        assertThat(decoded.entries().get(1).batches()).singleElement()
                .satisfies(b -> assertThat(b.crcValid()).isFalse());
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo("WAL_DATA");
            assertThat(p.detail()).contains("partition 3", "offsets 0..2 fails its CRC check");
        });
        assertThat(inspector.verify(false)).isEmpty(); // the header alone is intact
    }

    @Test
    void aDamagedHeaderIsOneLineNamingWhatIsWrong() {
        byte[] bytes = twoPartitions(0).bytes();
        bytes[60] ^= 0x01; // inside the first entry: the header CRC no longer matches
        put(key(0), bytes);

        assertThat(inspector.list()).singleElement()
                .satisfies(l -> assertThat(l.damage()).hasValue("damaged header: corrupt WAL object header: checksum"
                        + " mismatch"));
        assertThatThrownBy(() -> inspector.decode(key(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("damaged header: corrupt WAL object header: checksum mismatch");
        assertThat(inspector.verify(false)).containsExactly(new Problem("WAL_HEADER", key(0),
                "damaged header: corrupt WAL object header: checksum mismatch"));
    }

    @Test
    void aForeignKeyATruncatedObjectAndAHeaderThatContradictsItsKeyAreReported() {
        put("wal/notes.txt", "hello".getBytes(StandardCharsets.UTF_8));
        put("wal/1/" + INCARNATION + "/7.wal", twoPartitions(7).bytes()); // sequence not zero-padded
        byte[] whole = twoPartitions(2).bytes();
        put(key(2), java.util.Arrays.copyOf(whole, whole.length - 10));
        put(key(3), twoPartitions(4).bytes());

        List<Problem> problems = inspector.verify(false);

        assertThat(problems).extracting(Problem::kind, Problem::key).containsExactly(
                org.assertj.core.groups.Tuple.tuple("WAL_HEADER", key(2)),
                org.assertj.core.groups.Tuple.tuple("WAL_HEADER", key(3)),
                org.assertj.core.groups.Tuple.tuple("NOT_WAL", "wal/1/" + INCARNATION + "/7.wal"),
                org.assertj.core.groups.Tuple.tuple("NOT_WAL", "wal/notes.txt"));
        assertThat(problems.get(0).detail()).contains("partition 3", "lie outside the object");
        assertThat(problems.get(1).detail()).contains("sequence 4, not its key");
        assertThat(inspector.verify(true).get(0).detail()).contains("partition 3", "lie outside the object");
    }

    @Test
    void aMissingObjectDecodesToNothing() {
        assertThat(inspector.decode(key(9))).isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void anObjectCollectedBetweenTheListingAndItsReadIsLeftOut() {
        // Given a store whose listing still shows an object that is gone when read (GC deleted it meanwhile)
        put(key(0), twoPartitions(0).bytes());
        ObjectStore listingAGhost = (ObjectStore) Proxy.newProxyInstance(ObjectStore.class.getClassLoader(),
                new Class<?>[] {ObjectStore.class}, (proxy, method, args) -> {
                    Object result = method.invoke(store, args);
                    if (!method.getName().equals("listAll")) {
                        return result;
                    }
                    List<ObjectInfo> objects = new ArrayList<>(((CompletableFuture<List<ObjectInfo>>) result).join());
                    objects.add(new ObjectInfo(key(1), 500, "gone"));
                    return CompletableFuture.completedFuture(objects);
                });
        WalInspector ghostly = new WalInspector(listingAGhost);

        assertThat(ghostly.objects()).hasSize(2);

        // Then listing and verifying go on without it
        assertThat(ghostly.list()).extracting(l -> l.object().key()).containsExactly(key(0));
        assertThat(ghostly.verify(true)).isEmpty();
        assertThat(ghostly.decode(key(1))).isEmpty();
    }
}
