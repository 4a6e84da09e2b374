package io.strata.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link ObjectStore} must do, run against each implementation by a subclass that says
 * how to open a store on a real server. Each test works under a fresh random prefix, so the tests
 * of one class share one server and bucket.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class ObjectStoreContractTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path tempDir;

    private final List<ObjectStore> opened = new ArrayList<>();
    private ObjectStore store;

    /** A store on the shared bucket whose keys live under {@code prefix}. */
    protected abstract ObjectStore openStore(String prefix);

    /** {@link ObjectStore#putFile} uploads files larger than this in parts. */
    protected abstract long partSize();

    /** Checks, where the implementation can tell, that {@code info} is an object uploaded in parts. */
    protected void assertUploadedInParts(ObjectInfo info, int parts) {}

    @BeforeEach
    void openStoreUnderFreshPrefix() {
        store = open(freshPrefix());
    }

    @AfterEach
    void closeStores() {
        opened.forEach(ObjectStore::close);
    }

    @Test
    void putThenGetReturnsTheSameBytes() {
        byte[] bytes = "hello, bucket".getBytes(StandardCharsets.UTF_8);

        ObjectInfo info = await(store.put("a/hello", bytes, PutCondition.NONE));

        assertThat(info.key()).isEqualTo("a/hello");
        assertThat(info.size()).isEqualTo(bytes.length);
        assertThat(info.etag()).isNotEmpty();
        assertThat(await(store.get("a/hello"))).isEqualTo(bytes);
    }

    @Test
    void putOverwritesUnconditionally() {
        await(store.put("k", bytes(10, 1), PutCondition.NONE));

        await(store.put("k", bytes(20, 2), PutCondition.NONE));

        assertThat(await(store.get("k"))).isEqualTo(bytes(20, 2));
    }

    @Test
    void putFileSmallerThanAPartRoundTrips() throws Exception {
        byte[] content = bytes(100_000, 3);
        Path file = Files.write(tempDir.resolve("small.log"), content);

        ObjectInfo info = await(store.putFile("segments/small.log", file));

        assertThat(info.size()).isEqualTo(content.length);
        assertThat(await(store.get("segments/small.log"))).isEqualTo(content);
    }

    @Test
    void putFileLargerThanAPartGoesUpInPartsAndReadsBackWhole() throws Exception {
        byte[] content = bytes((int) (partSize() * 2 + partSize() / 2), 4);
        Path file = Files.write(tempDir.resolve("large.log"), content);

        ObjectInfo info = await(store.putFile("segments/large.log", file));

        assertThat(info.size()).isEqualTo(content.length);
        assertUploadedInParts(info, 3);
        assertThat(await(store.head("segments/large.log"))).get()
                .extracting(ObjectInfo::size, ObjectInfo::etag)
                .containsExactly((long) content.length, info.etag());
        assertThat(await(store.get("segments/large.log"))).isEqualTo(content);
    }

    @Test
    void getRangeReturnsExactlyTheRequestedBytes() {
        byte[] content = bytes(10_000, 5);
        await(store.put("r", content, PutCondition.NONE));

        ByteBuffer range = await(store.getRange("r", 1234, 4000));

        assertThat(range.position()).isZero();
        assertThat(toArray(range)).isEqualTo(slice(content, 1234, 4000));
    }

    @Test
    void getRangeOverlappingTheEndIsShort() {
        byte[] content = bytes(10_000, 6);
        await(store.put("r", content, PutCondition.NONE));

        ByteBuffer range = await(store.getRange("r", 9_000, 4096));

        assertThat(toArray(range)).isEqualTo(slice(content, 9_000, 1_000));
    }

    @Test
    void getRangeStartingAtOrPastTheEndIsEmpty() {
        await(store.put("r", bytes(100, 7), PutCondition.NONE));

        assertThat(await(store.getRange("r", 100, 10)).remaining()).isZero();
        assertThat(await(store.getRange("r", 5_000, 10)).remaining()).isZero();
    }

    @Test
    void headOfAnObjectGivesItsSizeAndEtag() {
        ObjectInfo put = await(store.put("h", bytes(321, 8), PutCondition.NONE));

        Optional<ObjectInfo> head = await(store.head("h"));

        assertThat(head).contains(new ObjectInfo("h", 321, put.etag()));
    }

    @Test
    void headOfAMissingKeyIsEmpty() {
        assertThat(await(store.head("nothing-here"))).isEmpty();
    }

    @Test
    void getOfAMissingKeyFailsWithObjectNotFound() {
        assertThatThrownBy(() -> await(store.get("nothing-here")))
                .isInstanceOf(ObjectNotFoundException.class)
                .hasMessageContaining("nothing-here");
        assertThatThrownBy(() -> await(store.getRange("nothing-here", 0, 10)))
                .isInstanceOf(ObjectNotFoundException.class);
    }

    @Test
    void listPagesThroughTheKeysUnderAPrefixInKeyOrder() {
        List<String> keys = IntStream.range(0, 7).mapToObj(i -> String.format("t/%02d", 6 - i)).toList();
        awaitAll(keys.stream().map(k -> store.put(k, bytes(5, 9), PutCondition.NONE)).toList());
        await(store.put("u/other", bytes(5, 9), PutCondition.NONE));

        ListPage first = await(store.list("t/", null, 3));
        ListPage second = await(store.list("t/", first.nextToken(), 3));
        ListPage third = await(store.list("t/", second.nextToken(), 3));

        assertThat(first.objects()).extracting(ObjectInfo::key).containsExactly("t/00", "t/01", "t/02");
        assertThat(second.objects()).extracting(ObjectInfo::key).containsExactly("t/03", "t/04", "t/05");
        assertThat(third.objects()).extracting(ObjectInfo::key).containsExactly("t/06");
        assertThat(third.nextToken()).isNull();
        assertThat(first.objects()).allSatisfy(o -> assertThat(o.size()).isEqualTo(5));
        assertThat(await(store.listAll(""))).extracting(ObjectInfo::key).hasSize(8).contains("u/other");
    }

    @Test
    void listOfAnEmptyPrefixIsEmpty() {
        ListPage page = await(store.list("none/", null, 10));

        assertThat(page.objects()).isEmpty();
        assertThat(page.nextToken()).isNull();
    }

    @Test
    void deleteAllRemovesTheKeysAndIgnoresMissingOnes() {
        awaitAll(List.of(
                store.put("d/1", bytes(1, 1), PutCondition.NONE),
                store.put("d/2", bytes(1, 1), PutCondition.NONE),
                store.put("d/keep", bytes(1, 1), PutCondition.NONE)));

        await(store.deleteAll(List.of("d/1", "d/2", "d/missing", "d/1")));

        assertThat(await(store.listAll("d/"))).extracting(ObjectInfo::key).containsExactly("d/keep");
    }

    @Test
    void deleteAllOfMoreKeysThanOneBatchRemovesThemAll() {
        List<String> keys = IntStream.range(0, 1_050).mapToObj(i -> String.format("many/%05d", i)).toList();
        awaitAll(keys.stream().map(k -> store.put(k, new byte[1], PutCondition.NONE)).toList());

        await(store.deleteAll(keys));

        assertThat(await(store.listAll("many/"))).isEmpty();
    }

    @Test
    void deleteAllOfNothingSucceeds() {
        await(store.deleteAll(List.of()));
    }

    @Test
    void putIfAbsentHasExactlyOneWinnerAmongConcurrentWriters() {
        List<CompletableFuture<ObjectInfo>> writers = IntStream.range(0, 4)
                .mapToObj(i -> store.put("manifest", ("writer-" + i).getBytes(StandardCharsets.UTF_8),
                        PutCondition.IF_ABSENT))
                .toList();

        List<Integer> winners = new ArrayList<>();
        for (int i = 0; i < writers.size(); i++) {
            try {
                await(writers.get(i));
                winners.add(i);
            } catch (PreconditionFailedException lost) {
                // expected for all but one
            }
        }

        assertThat(winners).hasSize(1);
        assertThat(new String(await(store.get("manifest")), StandardCharsets.UTF_8))
                .isEqualTo("writer-" + winners.get(0));
    }

    @Test
    void putIfAbsentOnAnExistingKeyFailsAndChangesNothing() {
        await(store.put("once", bytes(3, 1), PutCondition.IF_ABSENT));

        assertThatThrownBy(() -> await(store.put("once", bytes(4, 2), PutCondition.IF_ABSENT)))
                .isInstanceOf(PreconditionFailedException.class);
        assertThat(await(store.get("once"))).isEqualTo(bytes(3, 1));
    }

    @Test
    void putFileIfAbsentOnAnExistingKeyFailsAndChangesNothing() throws Exception {
        Path file = Files.write(tempDir.resolve("small-if-absent.log"), bytes(100_000, 9));
        await(store.putFile("segments/once.log", file, PutCondition.IF_ABSENT));
        Files.write(file, bytes(100_000, 10));

        assertThatThrownBy(() -> await(store.putFile("segments/once.log", file, PutCondition.IF_ABSENT)))
                .isInstanceOf(PreconditionFailedException.class);
        assertThat(await(store.get("segments/once.log"))).isEqualTo(bytes(100_000, 9));
    }

    @Test
    void multipartPutFileIfAbsentOnAnExistingKeyFailsAndChangesNothing() throws Exception {
        byte[] first = bytes((int) (partSize() * 2 + 10), 11);
        Path file = Files.write(tempDir.resolve("large-if-absent.log"), first);
        await(store.putFile("segments/once-large.log", file, PutCondition.IF_ABSENT));
        Files.write(file, bytes((int) (partSize() * 2 + 10), 12));

        assertThatThrownBy(() -> await(store.putFile("segments/once-large.log", file, PutCondition.IF_ABSENT)))
                .isInstanceOf(PreconditionFailedException.class);
        assertThat(await(store.get("segments/once-large.log"))).isEqualTo(first);
    }

    @Test
    void putIfMatchWithTheCurrentEtagReplacesTheObject() {
        ObjectInfo v1 = await(store.put("m", bytes(10, 1), PutCondition.NONE));

        ObjectInfo v2 = await(store.put("m", bytes(10, 2), PutCondition.ifMatch(v1.etag())));

        assertThat(v2.etag()).isNotEqualTo(v1.etag());
        assertThat(await(store.get("m"))).isEqualTo(bytes(10, 2));
    }

    @Test
    void putIfMatchWithAStaleEtagFailsAndChangesNothing() {
        ObjectInfo v1 = await(store.put("m", bytes(10, 1), PutCondition.NONE));
        await(store.put("m", bytes(10, 2), PutCondition.ifMatch(v1.etag())));

        assertThatThrownBy(() -> await(store.put("m", bytes(10, 3), PutCondition.ifMatch(v1.etag()))))
                .isInstanceOf(PreconditionFailedException.class);
        assertThat(await(store.get("m"))).isEqualTo(bytes(10, 2));
    }

    @Test
    void storesWithDifferentPrefixesOnOneBucketDoNotSeeEachOther() {
        ObjectStore other = open(freshPrefix());
        await(store.put("same-key", bytes(10, 1), PutCondition.NONE));
        await(other.put("same-key", bytes(10, 2), PutCondition.NONE));

        await(other.deleteAll(List.of("same-key")));

        assertThat(await(store.get("same-key"))).isEqualTo(bytes(10, 1));
        assertThat(await(store.listAll(""))).extracting(ObjectInfo::key).containsExactly("same-key");
        assertThat(await(other.listAll(""))).isEmpty();
        assertThat(await(other.head("same-key"))).isEmpty();
    }

    protected ObjectStore open(String prefix) {
        ObjectStore opening = openStore(prefix);
        opened.add(opening);
        return opening;
    }

    private static String freshPrefix() {
        return "contract-" + UUID.randomUUID() + "/";
    }

    /** The future's value; its failure's cause rethrown as is. */
    protected static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new AssertionError(e.getCause());
        } catch (Exception e) {
            throw new AssertionError("no result within " + TIMEOUT, e);
        }
    }

    private static void awaitAll(List<? extends CompletableFuture<?>> futures) {
        await(CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)));
    }

    protected static byte[] bytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] slice(byte[] bytes, int from, int length) {
        byte[] slice = new byte[length];
        System.arraycopy(bytes, from, slice, 0, length);
        return slice;
    }

    private static byte[] toArray(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
