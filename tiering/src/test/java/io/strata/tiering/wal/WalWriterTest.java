package io.strata.tiering.wal;

import static io.strata.tiering.testing.RecordBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.metadata.MetadataException;
import io.strata.metadata.TopicPartitionId;
import io.strata.metadata.WalBatch;
import io.strata.metadata.WalCommitOutcome;
import io.strata.metadata.WalObjectCommit;
import io.strata.metadata.WalRange;
import io.strata.objectstore.ForwardingObjectStore;
import io.strata.objectstore.ObjectInfo;
import io.strata.objectstore.ObjectStoreException;
import io.strata.objectstore.PutCondition;
import io.strata.tiering.remote.RemoteLayout;
import io.strata.tiering.testing.InMemoryObjectStore;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The write-ahead-log writer ({@link WalWriter}) against an in-memory bucket whose PUTs a test can hold, fail or
 * answer with a lost reply, and a scripted {@link WalWriter.Committer} standing for the metadata database.
 */
class WalWriterTest {

    private static final int NODE = 7;
    private static final UUID INCARNATION = UUID.fromString("6d1c2b3a-0000-4000-8000-00000000abcd");
    private static final TopicPartitionId P0 = new TopicPartitionId(new UUID(5, 5), 0);
    private static final TopicPartitionId P1 = new TopicPartitionId(new UUID(5, 5), 1);
    private static final TopicPartitionId P2 = new TopicPartitionId(new UUID(9, 1), 0);
    private static final long WAIT_MS = 10_000;
    /** How long "nothing happens" is watched for. */
    private static final long QUIET_MS = 400;

    final ControlledStore store = new ControlledStore();
    final ScriptedCommitter committer = new ScriptedCommitter();
    final WalMetrics metrics = new WalMetrics();
    final List<WalWriter> writers = new ArrayList<>();

    @AfterEach
    void closeWriters() {
        committer.open(); // a committer held by a test must not keep the commit thread
        writers.forEach(WalWriter::close);
    }

    private WalWriter writer(Duration linger, int batchBytes, int maxInFlight, long maxBufferedBytes) {
        WalWriter writer = new WalWriter(store, committer, NODE, INCARNATION,
                new WalSettings(linger, batchBytes, maxInFlight, maxBufferedBytes), metrics);
        writers.add(writer);
        return writer;
    }

    /** Short linger, objects large enough never to fill, four in flight. */
    private WalWriter lingering() {
        return writer(Duration.ofMillis(50), 1 << 20, 4, 8 << 20);
    }

    /** A linger long enough that only a full object or {@link WalWriter#flush} sends anything. */
    private WalWriter flushedByHand() {
        return writer(Duration.ofHours(1), 1 << 20, 4, 8 << 20);
    }

    private static String key(long sequence) {
        return RemoteLayout.walObject(NODE, INCARNATION, sequence);
    }

    // ---- appends ------------------------------------------------------------------------------------------------

    /** One batch of {@code count} records at offsets {@code base} to {@code base + count - 1}, as a log holds it. */
    private static ByteBuffer batchAt(long base, int count) {
        MemoryRecords records = batch().records(count).producer(1_000 + base, (short) 0, (int) base).build();
        for (MutableRecordBatch b : records.batches()) {
            b.setLastOffset(base + count - 1);
        }
        return records.buffer();
    }

    private static List<WalBatch> describe(ByteBuffer bytes) {
        List<WalBatch> batches = new ArrayList<>();
        for (RecordBatch b : MemoryRecords.readableRecords(bytes.duplicate()).batches()) {
            batches.add(new WalBatch(b.baseOffset(), b.lastOffset(), b.producerId(), b.producerEpoch(),
                    b.baseSequence(), b.lastSequence(), b.maxTimestamp()));
        }
        return batches;
    }

    /** Adds one batch of {@code count} records of {@code partition} at {@code base}; returns its bytes. */
    private static ByteBuffer add(WalWriter writer, TopicPartitionId partition, int epoch, long base, int count,
                                  Events listener) {
        ByteBuffer bytes = batchAt(base, count);
        writer.add(partition, epoch, base, base + count, bytes, describe(bytes), listener);
        return bytes;
    }

    // ---- the tests ----------------------------------------------------------------------------------------------

    @Test
    void appendsToTwoPartitionsWithinOneLingerMakeOneObjectListingBoth() throws Exception {
        WalWriter writer = lingering();
        Events p0 = new Events();
        Events p1 = new Events();

        ByteBuffer first = add(writer, P0, 3, 10, 4, p0);
        ByteBuffer second = add(writer, P0, 3, 14, 2, p0);
        ByteBuffer other = add(writer, P1, 8, 0, 5, p1);

        assertThat(p0.next()).isEqualTo("committed 16");
        assertThat(p1.next()).isEqualTo("committed 5");
        // one PUT, under the incarnation's first sequence
        assertThat(store.attempts).extracting(Put::key).containsExactly(key(0));
        byte[] object = store.memory.bytes(key(0)).orElseThrow();
        WalObject.Header header = WalObject.parseHeader(ByteBuffer.wrap(object));
        assertThat(header.nodeId()).isEqualTo(NODE);
        assertThat(header.incarnation()).isEqualTo(INCARNATION);
        assertThat(header.sequence()).isZero();
        assertThat(header.entries()).extracting(WalObject.Entry::partition).containsExactly(P0, P1);
        assertThat(header.entries()).extracting(WalObject.Entry::leaderEpoch).containsExactly(3, 8);
        // the commit names the object and, per partition, exactly the header's ranges and each batch
        assertThat(committer.calls).hasSize(1);
        WalObjectCommit commit = committer.calls.get(0);
        assertThat(commit.objectKey()).isEqualTo(key(0));
        assertThat(commit.nodeId()).isEqualTo(NODE);
        assertThat(commit.incarnation()).isEqualTo(INCARNATION);
        assertThat(commit.sizeBytes()).isEqualTo(object.length);
        assertThat(commit.ranges()).hasSize(2);
        WalRange r0 = commit.ranges().get(0);
        WalRange r1 = commit.ranges().get(1);
        assertThat(List.of(r0.partition(), r0.leaderEpoch(), r0.baseOffset(), r0.endOffset(), r0.objectKey()))
                .containsExactly(P0, 3, 10L, 16L, key(0));
        assertThat(List.of(r1.partition(), r1.leaderEpoch(), r1.baseOffset(), r1.endOffset()))
                .containsExactly(P1, 8, 0L, 5L);
        for (int i = 0; i < 2; i++) {
            assertThat(commit.ranges().get(i).position()).isEqualTo(header.entries().get(i).position());
            assertThat(commit.ranges().get(i).length()).isEqualTo(header.entries().get(i).length());
        }
        List<WalBatch> p0Batches = new ArrayList<>(describe(first));
        p0Batches.addAll(describe(second));
        assertThat(r0.batches()).isEqualTo(p0Batches);
        assertThat(r1.batches()).isEqualTo(describe(other));
        assertThat(ByteBuffer.wrap(object, (int) r1.position(), r1.length())).isEqualTo(other);
        assertThat(metrics.puts()).isEqualTo(1);
        assertThat(metrics.commits()).isEqualTo(1);
        assertThat(metrics.putBytes()).isEqualTo(object.length);
    }

    @Test
    void listenersHearOfTheCommitOnlyAfterTheCommitterReturnsCommitted() throws Exception {
        WalWriter writer = lingering();
        Events p0 = new Events();
        committer.hold();

        add(writer, P0, 1, 0, 3, p0);
        awaitTrue(() -> committer.calls.size() == 1, "the committer is called");

        // the object is in the bucket and the committer was asked, but has not answered
        assertThat(store.memory.bytes(key(0))).isPresent();
        p0.assertQuiet();
        committer.open();
        assertThat(p0.next()).isEqualTo("committed 3");
    }

    @Test
    void aFullObjectIsSentWithoutWaitingForTheLinger() throws Exception {
        int size = batchAt(0, 3).remaining();
        WalWriter writer = writer(Duration.ofHours(1), 2 * size, 4, 8 << 20);
        Events p0 = new Events();

        add(writer, P0, 1, 0, 3, p0);
        p0.assertQuiet(); // half full: waits for the (hour-long) linger
        assertThat(store.attempts).isEmpty();
        add(writer, P0, 1, 3, 3, p0);

        assertThat(p0.next()).isEqualTo("committed 6");
        assertThat(store.attempts).extracting(Put::key).containsExactly(key(0));
        assertThat(metrics.meanFillRatio()).isEqualTo(1.0);
    }

    @Test
    void aPutThatFailsIsRetriedWithTheSameKeyAndBytesAndCommitsOnceTheStoreIsBack() throws Exception {
        WalWriter writer = lingering();
        Events p0 = new Events();
        store.memory.setDown(true);

        add(writer, P0, 2, 0, 3, p0);
        awaitTrue(() -> store.attempts.size() >= 3, "the PUT is tried again");
        assertThat(committer.calls).isEmpty();
        p0.assertQuiet();
        store.memory.setDown(false);

        assertThat(p0.next()).isEqualTo("committed 3");
        assertThat(store.attempts).extracting(Put::key).containsOnly(key(0));
        byte[] firstAttempt = store.attempts.get(0).bytes();
        assertThat(store.attempts).allSatisfy(put -> assertThat(put.bytes()).isEqualTo(firstAttempt));
        assertThat(store.memory.bytes(key(0)).orElseThrow()).isEqualTo(firstAttempt);
        assertThat(committer.calls).hasSize(1);
        assertThat(metrics.puts()).as("retries are not new objects").isEqualTo(1);
        assertThat(metrics.putErrors()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aPutWhoseReplyWasLostCountsAsDoneWhenTheBucketHoldsTheSameBytes() throws Exception {
        WalWriter writer = lingering();
        Events p0 = new Events();
        store.loseReplyOnce.add(key(0));

        add(writer, P0, 2, 0, 3, p0);

        assertThat(p0.next()).isEqualTo("committed 3");
        assertThat(store.attempts).hasSize(2); // the second one met the first one's object (412) and read it back
        assertThat(committer.calls).hasSize(1);
    }

    @Test
    void aLostPutReplyWhoseReadBackFailsIsRetriedNotFailed() throws Exception {
        WalWriter writer = lingering();
        Events p0 = new Events();
        store.loseReplyOnce.add(key(0));
        store.failGetsOnce.add(key(0));

        add(writer, P0, 2, 0, 3, p0);

        assertThat(p0.next()).as("a GET that fails is no proof of another writer").isEqualTo("committed 3");
        assertThat(committer.calls).hasSize(1);
    }

    @Test
    void anotherObjectUnderTheSameKeyFailsTheAppendsAndIsNeverCommitted() throws Exception {
        WalWriter writer = lingering();
        Events p0 = new Events();
        store.memory.put(key(0), new byte[] {1, 2, 3}, PutCondition.IF_ABSENT).join();

        add(writer, P0, 2, 0, 3, p0);

        assertThat(p0.next()).isEqualTo("failed 0 at epoch 2");
        assertThat(p0.causes.get(0)).isInstanceOf(NotLeaderOrFollowerException.class)
                .hasMessageContaining("another writer uses this incarnation");
        assertThat(committer.calls).isEmpty();
        assertThat(store.memory.bytes(key(0)).orElseThrow()).containsExactly(1, 2, 3);
    }

    @Test
    void aCommitThatThrowsIsRetriedWithAnEqualCommitAndListenersAreToldOnce() throws Exception {
        WalWriter writer = lingering();
        Events p0 = new Events();
        committer.script.add(c -> {
            throw new MetadataException("database unreachable", null);
        });
        committer.script.add(c -> {
            throw new MetadataException("lost reply", null);
        });

        add(writer, P0, 2, 0, 3, p0);

        assertThat(p0.next()).isEqualTo("committed 3");
        assertThat(committer.calls).hasSize(3);
        assertThat(committer.calls.get(1)).isEqualTo(committer.calls.get(0));
        assertThat(committer.calls.get(2)).isEqualTo(committer.calls.get(0));
        assertThat(store.attempts).hasSize(1);
        assertThat(metrics.commitErrors()).isEqualTo(2);
        assertThat(metrics.commits()).isEqualTo(1);
        p0.assertQuiet();
    }

    @Test
    void fencedAndOutOfOrderRangesFailTheirListenersWithTheRangesEpoch() throws Exception {
        WalWriter writer = lingering();
        Events p0 = new Events();
        Events p1 = new Events();
        Events p2 = new Events();
        committer.script.add(c -> Map.of(P0, WalCommitOutcome.FENCED, P1, WalCommitOutcome.OUT_OF_ORDER,
                P2, WalCommitOutcome.COMMITTED));

        add(writer, P0, 4, 20, 3, p0);
        add(writer, P1, 6, 30, 2, p1);
        add(writer, P2, 1, 0, 1, p2);

        assertThat(p0.next()).isEqualTo("failed 20 at epoch 4");
        assertThat(p1.next()).isEqualTo("failed 30 at epoch 6");
        assertThat(p2.next()).isEqualTo("committed 1");
        assertThat(p0.causes.get(0)).isInstanceOf(NotLeaderOrFollowerException.class);
        assertThat(p1.causes.get(0)).isInstanceOf(NotLeaderOrFollowerException.class);
        assertThat(metrics.fencedRanges()).isEqualTo(2);
        p0.assertQuiet();
    }

    @Test
    void aPartitionTheCommitterDoesNotAnswerForIsFailedNotCommitted() throws Exception {
        WalWriter writer = lingering();
        Events p0 = new Events();
        Events p1 = new Events();
        committer.script.add(c -> Map.of(P1, WalCommitOutcome.COMMITTED));

        add(writer, P0, 4, 0, 3, p0);
        add(writer, P1, 4, 0, 3, p1);

        assertThat(p0.next()).isEqualTo("failed 0 at epoch 4");
        assertThat(p1.next()).isEqualTo("committed 3");
    }

    @Test
    void aNewLeaderEpochStartsANewObjectSoEachRangeHasOneEpoch() throws Exception {
        WalWriter writer = flushedByHand();
        Events p0 = new Events();

        add(writer, P0, 4, 0, 3, p0);
        add(writer, P0, 5, 3, 2, p0);
        writer.flush().get(WAIT_MS, TimeUnit.MILLISECONDS);

        assertThat(committer.calls).extracting(WalObjectCommit::objectKey).containsExactly(key(0), key(1));
        WalRange older = committer.calls.get(0).ranges().get(0);
        WalRange newer = committer.calls.get(1).ranges().get(0);
        assertThat(List.of(older.leaderEpoch(), older.baseOffset(), older.endOffset())).containsExactly(4, 0L, 3L);
        assertThat(List.of(newer.leaderEpoch(), newer.baseOffset(), newer.endOffset())).containsExactly(5, 3L, 5L);
        assertThat(p0.next()).isEqualTo("committed 3");
        assertThat(p0.next()).isEqualTo("committed 5");
    }

    @Test
    void anAppendThatDoesNotFollowThePreviousOneIsRefused() {
        WalWriter writer = flushedByHand();
        Events p0 = new Events();
        add(writer, P0, 4, 0, 3, p0);

        assertThatThrownBy(() -> add(writer, P0, 4, 5, 1, p0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not follow the previous one, which ended at 3");
    }

    @Test
    void commitsFollowSequenceOrderEvenWhenALaterPutFinishesFirst() throws Exception {
        WalWriter writer = flushedByHand();
        Events p0 = new Events();
        Events p1 = new Events();
        store.hold(key(0));

        add(writer, P0, 1, 0, 3, p0);
        writer.flush();
        add(writer, P1, 1, 0, 2, p1);
        writer.flush();
        awaitTrue(() -> store.memory.bytes(key(1)).isPresent(), "the second object is in the bucket");

        // the second object waits for the first, whose PUT has not answered
        p1.assertQuiet();
        assertThat(committer.calls).isEmpty();
        assertThat(metrics.inFlight()).isEqualTo(2);
        store.release(key(0));

        assertThat(p0.next()).isEqualTo("committed 3");
        assertThat(p1.next()).isEqualTo("committed 2");
        assertThat(committer.calls).extracting(WalObjectCommit::objectKey).containsExactly(key(0), key(1));
        awaitTrue(() -> metrics.inFlight() == 0, "nothing in flight");
    }

    @Test
    void noMoreObjectsThanTheInFlightLimitAreOutAtOnce() throws Exception {
        WalWriter writer = writer(Duration.ofMillis(20), 1 << 20, 1, 8 << 20);
        Events p0 = new Events();
        Events p1 = new Events();
        store.hold(key(0));

        add(writer, P0, 1, 0, 3, p0);
        awaitTrue(() -> store.attempts.size() == 1, "the first object is PUT");
        add(writer, P1, 1, 0, 2, p1);
        p1.assertQuiet(); // its linger passed long ago, but one object is already out
        assertThat(store.attempts).hasSize(1);
        store.release(key(0));

        assertThat(p0.next()).isEqualTo("committed 3");
        assertThat(p1.next()).isEqualTo("committed 2");
        assertThat(store.attempts).extracting(Put::key).containsExactly(key(0), key(1));
    }

    @Test
    void appendsAreRefusedOnceMoreThanTheBufferWaitsAndAdmittedAgainAfterCommits() throws Exception {
        int size = batchAt(0, 3).remaining();
        // every add fills an object by itself; the buffer holds exactly two of them
        WalWriter writer = writer(Duration.ofHours(1), size, 8, 2L * size);
        Events p0 = new Events();
        committer.hold();

        writer.checkAdmits("orders-0");
        add(writer, P0, 1, 0, 3, p0);
        writer.checkAdmits("orders-0");
        add(writer, P0, 1, 3, 3, p0);
        writer.checkAdmits("orders-0"); // exactly the limit waits: not more than it
        add(writer, P0, 1, 6, 3, p0);

        assertThatThrownBy(() -> writer.checkAdmits("orders-0")).isInstanceOf(NotEnoughReplicasException.class)
                .hasMessageContaining("orders-0");
        committer.open();
        assertThat(p0.next()).isEqualTo("committed 3");
        assertThat(p0.next()).isEqualTo("committed 6");
        assertThat(p0.next()).isEqualTo("committed 9");
        awaitTrue(() -> {
            try {
                writer.checkAdmits("orders-0");
                return true;
            } catch (NotEnoughReplicasException e) {
                return false;
            }
        }, "appends are admitted again");
    }

    @Test
    void closeFailsWhatIsGatheredAndEveryLaterAppend() throws Exception {
        WalWriter writer = flushedByHand();
        Events p0 = new Events();
        add(writer, P0, 3, 40, 3, p0);

        writer.close();

        assertThat(p0.next()).isEqualTo("failed 40 at epoch 3");
        assertThat(p0.causes.get(0)).isInstanceOf(NotLeaderOrFollowerException.class);
        assertThat(store.attempts).isEmpty();
        assertThatThrownBy(() -> writer.checkAdmits("orders-0")).isInstanceOf(NotLeaderOrFollowerException.class);
        add(writer, P0, 3, 43, 1, p0);
        assertThat(p0.next()).isEqualTo("failed 43 at epoch 3");
    }

    @Test
    void closeFailsAnObjectWhosePutNeverAnswers() throws Exception {
        WalWriter writer = flushedByHand();
        Events p0 = new Events();
        store.hold(key(0));
        add(writer, P0, 3, 40, 3, p0);
        writer.flush();
        awaitTrue(() -> store.attempts.size() == 1, "the object is PUT");

        writer.close();

        assertThat(p0.next()).isEqualTo("failed 40 at epoch 3");
        store.release(key(0)); // the answer comes after all: nothing of it is committed, nobody is told twice
        p0.assertQuiet();
        assertThat(committer.calls).isEmpty();
    }

    @Test
    void closeFailsAnObjectWhoseCommitIsBeingRetried() throws Exception {
        WalWriter writer = flushedByHand();
        Events p0 = new Events();
        for (int i = 0; i < 1_000; i++) {
            committer.script.add(c -> {
                throw new MetadataException("database unreachable", null);
            });
        }
        add(writer, P0, 3, 40, 3, p0);
        writer.flush();
        awaitTrue(() -> committer.calls.size() >= 2, "the commit is retried");

        writer.close();

        assertThat(p0.next()).isEqualTo("failed 40 at epoch 3");
        p0.assertQuiet();
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    /** What a listener was told, in order, as {@code "committed END"} or {@code "failed FROM at epoch E"}. */
    static final class Events implements WalWriter.Listener {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        final List<RuntimeException> causes = new CopyOnWriteArrayList<>();

        @Override
        public void committed(long endOffset) {
            events.add("committed " + endOffset);
        }

        @Override
        public void failed(long fromOffset, int leaderEpoch, RuntimeException cause) {
            causes.add(cause);
            events.add("failed " + fromOffset + " at epoch " + leaderEpoch);
        }

        String next() throws InterruptedException {
            String event = events.poll(WAIT_MS, TimeUnit.MILLISECONDS);
            assertThat(event).as("the listener is told something within %d ms", WAIT_MS).isNotNull();
            return event;
        }

        void assertQuiet() throws InterruptedException {
            assertThat(events.poll(QUIET_MS, TimeUnit.MILLISECONDS)).as("the listener is told nothing").isNull();
        }
    }

    /**
     * Records every commit it is asked for; answers COMMITTED for every range unless a scripted step says
     * otherwise; while held, does not answer.
     */
    static final class ScriptedCommitter implements WalWriter.Committer {
        final List<WalObjectCommit> calls = new CopyOnWriteArrayList<>();
        final Deque<Function<WalObjectCommit, Map<TopicPartitionId, WalCommitOutcome>>> script =
                new ConcurrentLinkedDeque<>();
        private volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);

        void hold() {
            gate = new CompletableFuture<>();
        }

        void open() {
            gate.complete(null);
        }

        @Override
        public Map<TopicPartitionId, WalCommitOutcome> commit(WalObjectCommit commit) {
            calls.add(commit);
            try {
                gate.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
            Function<WalObjectCommit, Map<TopicPartitionId, WalCommitOutcome>> step = script.poll();
            if (step != null) {
                return step.apply(commit);
            }
            Map<TopicPartitionId, WalCommitOutcome> outcomes = new TreeMap<>();
            commit.ranges().forEach(r -> outcomes.put(r.partition(), WalCommitOutcome.COMMITTED));
            return outcomes;
        }
    }

    record Put(String key, byte[] bytes) {
    }

    /**
     * An {@link InMemoryObjectStore} whose PUTs are recorded, can be held per key until released, or can lose their
     * reply once (stored, but answered with an error); a GET of a key can fail once.
     */
    static final class ControlledStore extends ForwardingObjectStore {
        final InMemoryObjectStore memory;
        final List<Put> attempts = new CopyOnWriteArrayList<>();
        final Map<String, CompletableFuture<Void>> holds = new ConcurrentHashMap<>();
        final Set<String> loseReplyOnce = ConcurrentHashMap.newKeySet();
        final Set<String> failGetsOnce = ConcurrentHashMap.newKeySet();

        ControlledStore() {
            this(new InMemoryObjectStore());
        }

        private ControlledStore(InMemoryObjectStore memory) {
            super(memory);
            this.memory = memory;
        }

        void hold(String key) {
            holds.put(key, new CompletableFuture<>());
        }

        void release(String key) {
            holds.remove(key).complete(null);
        }

        @Override
        public CompletableFuture<ObjectInfo> put(String key, byte[] bytes, PutCondition condition) {
            attempts.add(new Put(key, bytes.clone()));
            CompletableFuture<Void> gate = holds.get(key);
            if (gate != null) {
                return gate.thenCompose(ignored -> memory.put(key, bytes, condition));
            }
            if (loseReplyOnce.remove(key)) {
                memory.put(key, bytes, condition).join();
                return CompletableFuture.failedFuture(new ObjectStoreException("reply lost", true, null));
            }
            return memory.put(key, bytes, condition);
        }

        @Override
        public CompletableFuture<byte[]> get(String key) {
            if (failGetsOnce.remove(key)) {
                return CompletableFuture.failedFuture(new ObjectStoreException("connection reset", true, null));
            }
            return memory.get(key);
        }
    }
}
