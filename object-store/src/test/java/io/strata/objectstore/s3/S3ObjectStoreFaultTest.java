package io.strata.objectstore.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.objectstore.ObjectStoreException;
import io.strata.objectstore.PutCondition;
import io.strata.objectstore.s3.ScriptedS3Endpoint.Reply;
import io.strata.objectstore.s3.ScriptedS3Endpoint.Request;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@link S3ObjectStore} behaves when the server misbehaves: retries, giving up, timeouts,
 * the concurrency bound and aborting a failed multipart upload, against {@link ScriptedS3Endpoint}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class S3ObjectStoreFaultTest {
    @TempDir
    Path tempDir;

    private ScriptedS3Endpoint endpoint;
    private S3ObjectStore store;

    @BeforeEach
    void startEndpoint() throws IOException {
        endpoint = new ScriptedS3Endpoint();
    }

    @AfterEach
    void stop() {
        if (store != null) {
            store.close();
        }
        endpoint.close();
    }

    @Test
    void serverErrorsAndSlowDownAreRetriedUntilTheRequestSucceeds() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        endpoint.respond(r -> switch (calls.incrementAndGet()) {
            case 1 -> Reply.error(503, "SlowDown");
            case 2 -> Reply.error(500, "InternalError");
            default -> Reply.ok("hello");
        });
        store = open(config().maxAttempts(5));

        byte[] bytes = store.get("k").get(30, TimeUnit.SECONDS);

        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(endpoint.requests()).hasSize(3).allMatch(r -> r.toString().equals("GET /bucket/p/k"));
    }

    @Test
    void aPermanentForbiddenIsNotRetried() {
        endpoint.respond(r -> Reply.error(403, "AccessDenied"));
        store = open(config().maxAttempts(5));

        assertThatThrownBy(() -> store.get("k").get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isExactlyInstanceOf(ObjectStoreException.class)
                .hasMessageContaining("403")
                .matches(e -> !((ObjectStoreException) e).retriable(), "not retriable");
        assertThat(endpoint.requests()).hasSize(1);
    }

    @Test
    void retriesStopAfterMaxAttemptsWithARetriableFailure() {
        endpoint.respond(r -> Reply.error(503, "ServiceUnavailable"));
        store = open(config().maxAttempts(3));

        assertThatThrownBy(() -> store.put("k", new byte[10], io.strata.objectstore.PutCondition.NONE)
                        .get(30, TimeUnit.SECONDS))
                .cause()
                .isExactlyInstanceOf(ObjectStoreException.class)
                .matches(e -> ((ObjectStoreException) e).retriable(), "retriable");
        assertThat(endpoint.requests()).hasSize(3);
    }

    @Test
    void anAttemptOnAStalledConnectionTimesOutAndIsRetried() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        endpoint.respond(r -> calls.incrementAndGet() == 1
                ? Reply.ok("late").after(Duration.ofSeconds(5))
                : Reply.ok("on time"));
        store = open(config().maxAttempts(3).ioTimeout(Duration.ofMillis(700)));

        byte[] bytes = store.get("k").get(30, TimeUnit.SECONDS);

        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("on time");
        assertThat(endpoint.requests()).hasSize(2);
    }

    @Test
    void noMoreThanMaxConcurrentRequestsAreInFlight() throws Exception {
        endpoint.respond(r -> Reply.ok("x").after(Duration.ofMillis(150)));
        store = open(config().maxConcurrentRequests(2));

        List<CompletableFuture<byte[]>> gets = IntStream.range(0, 8).mapToObj(i -> store.get("k" + i)).toList();
        CompletableFuture.allOf(gets.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        assertThat(endpoint.requests()).hasSize(8);
        assertThat(endpoint.maxInFlight()).isEqualTo(2);
    }

    @Test
    void anUploadIsNotQueuedBehindSlowReads() throws Exception {
        // Given reads that take 3 s each and a store allowing 2 requests in flight
        endpoint.respond(r -> r.method().equals("GET") ? Reply.ok("x").after(Duration.ofSeconds(3)) : Reply.ok(""));
        store = open(config().maxConcurrentRequests(2));

        // When 8 reads are queued (12 s of work at 2 in flight), then a segment is uploaded
        List<CompletableFuture<byte[]>> gets = IntStream.range(0, 8).mapToObj(i -> store.get("k" + i)).toList();
        long started = System.nanoTime();
        store.put("segment", new byte[] {1}, new PutCondition.None()).get(30, TimeUnit.SECONDS);

        // Then the upload does not wait for the reads
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(2_500);
        CompletableFuture.allOf(gets.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertThat(endpoint.maxInFlight()).isLessThanOrEqualTo(3);
    }

    @Test
    void aMultipartUploadWhosePartFailsIsAbortedAndNeverCompleted() throws Exception {
        endpoint.respond(ScriptedS3EndpointReplies::multipartWithFailingParts);
        store = open(config().partSize(S3Config.MIN_PART_SIZE));
        Path file = tempDir.resolve("segment.log");
        Files.write(file, new byte[(int) (S3Config.MIN_PART_SIZE * 2 + 1000)]);

        assertThatThrownBy(() -> store.putFile("seg", file).get(30, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(ObjectStoreException.class)
                .hasMessageContaining("403");

        List<String> requests = endpoint.requests().stream().map(Request::toString).toList();
        assertThat(requests.get(0)).isEqualTo("POST /bucket/p/seg?uploads");
        assertThat(requests).last().isEqualTo("DELETE /bucket/p/seg?uploadId=upload-1");
        assertThat(requests).noneMatch(r -> r.startsWith("POST /bucket/p/seg?uploadId"));
    }

    @Test
    void deleteAllSendsBatchesOfAtMostAThousandKeys() throws Exception {
        endpoint.respond(r -> Reply.ok("<?xml version=\"1.0\" encoding=\"UTF-8\"?><DeleteResult></DeleteResult>"));
        store = open(config());
        List<String> keys = IntStream.range(0, 2_500).mapToObj(i -> "seg-" + i).toList();

        store.deleteAll(keys).get(30, TimeUnit.SECONDS);

        assertThat(endpoint.requests()).hasSize(3).allMatch(r -> r.toString().equals("POST /bucket?delete"));
    }

    @Test
    void deleteAllReportsTheKeysTheServerCouldNotDelete() {
        endpoint.respond(r -> Reply.ok("<?xml version=\"1.0\" encoding=\"UTF-8\"?><DeleteResult>"
                + "<Error><Key>p/locked</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
                + "</DeleteResult>"));
        store = open(config());

        assertThatThrownBy(() -> store.deleteAll(List.of("free", "locked")).get(30, TimeUnit.SECONDS))
                .cause()
                .isExactlyInstanceOf(ObjectStoreException.class)
                .hasMessageContaining("could not delete 1 of 2 keys: locked (AccessDenied: Access Denied)")
                .matches(e -> !((ObjectStoreException) e).retriable(), "not retriable");
    }

    private S3Config.Builder config() {
        return S3Config.builder("bucket")
                .endpoint(endpoint.endpoint())
                .credentials("key", "secret")
                .prefix("p")
                .retryDelays(Duration.ofMillis(10), Duration.ofMillis(100));
    }

    private static S3ObjectStore open(S3Config.Builder config) {
        return S3ObjectStore.open(config.build());
    }

    /** Answers for a multipart upload whose part uploads are refused. */
    private static final class ScriptedS3EndpointReplies {
        static Reply multipartWithFailingParts(Request request) {
            if (request.method().equals("POST") && "uploads".equals(request.query())) {
                return Reply.ok("<?xml version=\"1.0\" encoding=\"UTF-8\"?><InitiateMultipartUploadResult>"
                        + "<Bucket>bucket</Bucket><Key>p/seg</Key><UploadId>upload-1</UploadId>"
                        + "</InitiateMultipartUploadResult>");
            }
            if (request.method().equals("PUT")) {
                return Reply.error(403, "AccessDenied");
            }
            if (request.method().equals("DELETE")) {
                return new Reply(204, "", Duration.ZERO);
            }
            return Reply.error(400, "UnexpectedRequest");
        }
    }
}
