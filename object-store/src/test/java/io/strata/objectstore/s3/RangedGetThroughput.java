package io.strata.objectstore.s3;

import io.strata.objectstore.ObjectInfo;
import io.strata.objectstore.s3proxy.S3ProxyServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A measurement, not a test: the raw ranged-GET throughput of S3Proxy (filesystem store) through
 * {@link S3ObjectStore} on this machine, the baseline the tiering benchmark's cold catch-up is
 * compared with. Uploads one object, then reads all of it in 1 MiB and in 4 MiB ranges, with 1
 * and with 4 requests in flight, and prints MiB/s and per-request latency percentiles.
 *
 * <pre>
 * mvn -B -q -o -pl object-store test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp object-store/target/test-classes:object-store/target/classes:$(cat object-store/target/cp.txt) \
 *     io.strata.objectstore.s3.RangedGetThroughput [object MiB, default 256]
 * </pre>
 */
public final class RangedGetThroughput {
    private static final int MIB = 1024 * 1024;

    private RangedGetThroughput() {}

    public static void main(String[] args) throws Exception {
        int objectMiB = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        Path dir = Files.createTempDirectory("strata-ranged-get");
        Path file = dir.resolve("object.bin");
        writeRandom(file, (long) objectMiB * MIB);
        try (S3ProxyServer server = S3ProxyServer.start(S3ProxyServer.Settings.onFreePort(dir.resolve("s3"), "bench"));
                S3ObjectStore store = S3ObjectStore.open(server.clientConfig().build())) {
            store.putFile("warm-up.bin", file).get(10, TimeUnit.MINUTES); // JIT on both sides
            long start = System.nanoTime();
            ObjectInfo info = store.putFile("object.bin", file).get(10, TimeUnit.MINUTES);
            System.out.printf("PUT %d MiB (putFile, %d MiB parts): %.0f MiB/s%n", objectMiB,
                    store.config().partSize() / MIB, objectMiB / seconds(start));
            readAll(store, info, 4 * MIB, 4); // warm-up of the read path
            for (int rangeMiB : new int[] {1, 4}) {
                for (int inFlight : new int[] {1, 4}) {
                    for (int round = 1; round <= 2; round++) {
                        readAll(store, info, rangeMiB * MIB, inFlight).print(rangeMiB, inFlight, round);
                    }
                }
            }
        } finally {
            deleteRecursively(dir);
        }
    }

    private record Result(long bytes, double seconds, long[] latenciesNanos) {
        void print(int rangeMiB, int inFlight, int round) {
            long[] sorted = latenciesNanos.clone();
            Arrays.sort(sorted);
            System.out.printf("%d MiB ranges, %d in flight, round %d: %6.0f MiB/s, %4d GETs, latency p50 %5.1f ms,"
                            + " p99 %5.1f ms%n", rangeMiB, inFlight, round, bytes / (double) MIB / seconds,
                    sorted.length, percentile(sorted, 0.50), percentile(sorted, 0.99));
        }
    }

    private static Result readAll(S3ObjectStore store, ObjectInfo info, int rangeSize, int inFlight) throws Exception {
        int ranges = (int) ((info.size() + rangeSize - 1) / rangeSize);
        long[] latencies = new long[ranges];
        AtomicLong next = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        long start = System.nanoTime();
        List<CompletableFuture<Void>> readers = new ArrayList<>();
        for (int i = 0; i < inFlight; i++) {
            readers.add(readNext(store, info, rangeSize, ranges, next, bytes, latencies));
        }
        CompletableFuture.allOf(readers.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        if (bytes.get() != info.size()) {
            throw new IllegalStateException("read " + bytes.get() + " of " + info.size() + " bytes");
        }
        return new Result(bytes.get(), seconds(start), latencies);
    }

    private static CompletableFuture<Void> readNext(S3ObjectStore store, ObjectInfo info, int rangeSize, int ranges,
            AtomicLong next, AtomicLong bytes, long[] latencies) {
        int index = (int) next.getAndIncrement();
        if (index >= ranges) {
            return CompletableFuture.completedFuture(null);
        }
        long sent = System.nanoTime();
        return store.getRange(info.key(), (long) index * rangeSize, rangeSize).thenCompose((ByteBuffer range) -> {
            latencies[index] = System.nanoTime() - sent;
            bytes.addAndGet(range.remaining());
            return readNext(store, info, rangeSize, ranges, next, bytes, latencies);
        });
    }

    private static double percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void writeRandom(Path file, long size) throws IOException {
        byte[] chunk = new byte[MIB];
        Random random = new Random(42);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < size; written += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk, 0, (int) Math.min(chunk.length, size - written));
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
