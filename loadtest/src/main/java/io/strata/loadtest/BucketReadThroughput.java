package io.strata.loadtest;

import io.strata.objectstore.ObjectInfo;
import io.strata.objectstore.s3.S3Config;
import io.strata.objectstore.s3.S3ObjectStore;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The raw ranged-GET throughput of an S3 server, the baseline of catchup.sh: reads every segment
 * object ({@code *.log}) under {@code --prefix} in key order (per partition, offset order), each from
 * start to end in {@code --chunk-bytes} ranges, with {@code --in-flight} GETs outstanding at a time
 * and the next object's ranges following the previous one's, as the broker's read-ahead does. It
 * goes through the broker's own {@link S3ObjectStore} (AWS SDK v2 async client, Netty) with the
 * settings the broker gives its embedded server, so the SDK, its HTTP client and their settings are
 * the broker's: run it with the broker jar on the classpath,
 *
 * <pre>
 * java -cp loadtest/target/classes:broker-vertx/target/strata-broker.jar io.strata.loadtest.BucketReadThroughput \
 *     --endpoint http://127.0.0.1:9000 [--bucket strata] [--prefix topics/] [--chunk-bytes 4194304] \
 *     [--in-flight 1,2] [--rounds 1] [--access-key strata --secret-key strata-secret] [--server-pid PID]
 * </pre>
 *
 * <p>First one warm-up pass over the first object (JIT of this JVM), then per in-flight count and
 * round one line {@code in-flight=N round=R bytes=B seconds=S gets=G MiB/s=M cpu-s=C server-cpu-s=D}:
 * C is the CPU time of this reader during the pass, D that of process {@code --server-pid} (the S3
 * server; 0 without it).
 */
public final class BucketReadThroughput {

    private BucketReadThroughput() {
    }

    public static void main(String[] args) throws Exception {
        Arguments arguments = Arguments.parse(args);
        S3Config config = S3Config.builder(arguments.optional("bucket", "strata"))
            .endpoint(URI.create(arguments.required("endpoint")))
            .region(arguments.optional("region", "us-east-1"))
            .credentials(arguments.optional("access-key", "strata"), arguments.optional("secret-key", "strata-secret"))
            .pathStyle(true)
            .build();
        String prefix = arguments.optional("prefix", "topics/");
        int chunkBytes = Integer.parseInt(arguments.optional("chunk-bytes", Integer.toString(4 * 1024 * 1024)));
        int rounds = Integer.parseInt(arguments.optional("rounds", "1"));
        List<Integer> inFlights = new ArrayList<>();
        for (String n : arguments.optional("in-flight", "1,2").split(",")) {
            inFlights.add(Integer.parseInt(n.trim()));
        }
        long serverPid = Long.parseLong(arguments.optional("server-pid", "0"));
        try (S3ObjectStore store = S3ObjectStore.open(config)) {
            List<ObjectInfo> segments = store.listAll(prefix).get(1, TimeUnit.MINUTES).stream()
                .filter(o -> o.key().endsWith(".log"))
                .toList();
            if (segments.isEmpty()) {
                throw new IllegalStateException("no *.log object under " + prefix + " in bucket " + config.bucket());
            }
            long total = segments.stream().mapToLong(ObjectInfo::size).sum();
            System.out.printf(Locale.ROOT, "objects=%d bytes=%d chunk-bytes=%d%n", segments.size(), total, chunkBytes);
            readAll(store, segments.subList(0, 1), chunkBytes, 2);
            for (int inFlight : inFlights) {
                for (int round = 1; round <= rounds; round++) {
                    long start = System.nanoTime();
                    double cpuStart = ProcessCpu.ownSeconds();
                    double serverCpuStart = ProcessCpu.seconds(serverPid);
                    Pass pass = readAll(store, segments, chunkBytes, inFlight);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    System.out.printf(Locale.ROOT,
                        "in-flight=%d round=%d bytes=%d seconds=%.3f gets=%d MiB/s=%.1f cpu-s=%.2f server-cpu-s=%.2f%n",
                        inFlight, round, pass.bytes(), seconds, pass.gets(), pass.bytes() / 1048576.0 / seconds,
                        ProcessCpu.ownSeconds() - cpuStart, ProcessCpu.seconds(serverPid) - serverCpuStart);
                }
            }
        }
    }

    private record Range(String key, long position, int length) {
    }

    private record Pass(long bytes, long gets) {
    }

    private static Pass readAll(S3ObjectStore store, List<ObjectInfo> objects, int chunkBytes, int inFlight)
        throws Exception {
        List<Range> ranges = new ArrayList<>();
        for (ObjectInfo object : objects) {
            for (long position = 0; position < object.size(); position += chunkBytes) {
                ranges.add(new Range(object.key(), position, (int) Math.min(chunkBytes, object.size() - position)));
            }
        }
        AtomicInteger next = new AtomicInteger();
        AtomicLong bytes = new AtomicLong();
        List<CompletableFuture<Void>> readers = new ArrayList<>();
        for (int i = 0; i < inFlight; i++) {
            readers.add(readNext(store, ranges, next, bytes));
        }
        CompletableFuture.allOf(readers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.MINUTES);
        long expected = ranges.stream().mapToLong(Range::length).sum();
        if (bytes.get() != expected) {
            throw new IllegalStateException("read " + bytes.get() + " of " + expected + " bytes");
        }
        return new Pass(bytes.get(), ranges.size());
    }

    /** Each reader takes the next range when its last one arrived: at most {@code inFlight} GETs outstanding. */
    private static CompletableFuture<Void> readNext(S3ObjectStore store, List<Range> ranges, AtomicInteger next,
                                                    AtomicLong bytes) {
        int index = next.getAndIncrement();
        if (index >= ranges.size()) {
            return CompletableFuture.completedFuture(null);
        }
        Range range = ranges.get(index);
        return store.getRange(range.key(), range.position(), range.length()).thenCompose((ByteBuffer buffer) -> {
            bytes.addAndGet(buffer.remaining());
            return readNext(store, ranges, next, bytes);
        });
    }
}
