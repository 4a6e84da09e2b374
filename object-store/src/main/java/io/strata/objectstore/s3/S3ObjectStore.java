package io.strata.objectstore.s3;

import io.strata.objectstore.ListPage;
import io.strata.objectstore.ObjectInfo;
import io.strata.objectstore.ObjectStore;
import io.strata.objectstore.ObjectStoreException;
import io.strata.objectstore.PutCondition;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Error;

/**
 * {@link ObjectStore} on an S3-compatible server (AWS S3, MinIO, S3Proxy) through the AWS SDK v2
 * async client with the Netty HTTP client.
 *
 * <p>Every request goes through one of two {@link RequestLimiter}s, each with at most
 * {@code maxConcurrentRequests} in flight and the rest queued: one for reads (GET, ranged GET, HEAD, LIST)
 * and one for writes (PUT, multipart uploads, DELETE), over an HTTP connection pool large enough for both,
 * so that a burst of remote reads from consumers cannot starve segment uploads, nor uploads reads. Then
 * the SDK's standard retry strategy: up to {@code maxAttempts}
 * attempts on 5xx, 503 SlowDown and other throttling, I/O errors and timeouts, with exponential
 * backoff and full jitter; the retry circuit breaker is off, so a long outage keeps retrying each
 * call instead of failing fast. 4xx answers other than throttling are not retried. Keys are
 * {@code prefix + key} in the bucket; results carry them without the prefix.
 *
 * <p>HTTP client: the SDK's {@code netty-nio-client}. It is built against Netty 4.1; the reactor
 * pins Netty to the 4.2 line that Vert.x 5 uses, the contract tests run on that version, and
 * {@code S3ObjectStoreOnBrokerClasspathTest} runs it next to Vert.x. The alternatives were weaker:
 * the AWS CRT client is native code (a large per-platform jar) and the SDK has no async client on
 * {@code java.net.http}. Netty's event loops are the store's own, so {@link #close()} stops them
 * after a 100 ms quiet period instead of Netty's 2 s.
 *
 * <p>Thread-safe. Futures complete on the SDK's {@code sdk-async-response} threads.
 */
public final class S3ObjectStore implements ObjectStore {
    private static final Logger LOGGER = LoggerFactory.getLogger(S3ObjectStore.class);

    /** DeleteObjects takes at most this many keys. */
    static final int DELETE_BATCH_SIZE = 1000;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration CLOSE_QUIET = Duration.ofMillis(100);

    private final S3Config config;
    private final SdkEventLoopGroup eventLoops;
    private final SdkAsyncHttpClient http;
    private final S3AsyncClient s3;
    /** GET, ranged GET, HEAD, LIST. */
    private final RequestLimiter reads;
    /** PUT, multipart uploads, DELETE. */
    private final RequestLimiter writes;

    private S3ObjectStore(S3Config config, SdkEventLoopGroup eventLoops, SdkAsyncHttpClient http, S3AsyncClient s3) {
        this.config = config;
        this.eventLoops = eventLoops;
        this.http = http;
        this.s3 = s3;
        this.reads = new RequestLimiter(config.maxConcurrentRequests());
        this.writes = new RequestLimiter(config.maxConcurrentRequests());
    }

    /** Opens a store; the bucket must exist. Close it to release the HTTP client's threads. */
    public static S3ObjectStore open(S3Config config) {
        // Our own event loops, so that close() can stop them without Netty's 2 s quiet period.
        SdkEventLoopGroup eventLoops = SdkEventLoopGroup.builder().build();
        SdkAsyncHttpClient http = NettyNioAsyncHttpClient.builder()
                .eventLoopGroup(eventLoops)
                .maxConcurrency(2 * config.maxConcurrentRequests()) // reads and writes, each bounded apart
                .connectionTimeout(config.connectTimeout())
                .readTimeout(config.ioTimeout())
                .writeTimeout(config.ioTimeout())
                .connectionAcquisitionTimeout(config.attemptTimeout())
                .build();
        RetryStrategy retryStrategy = AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(config.maxAttempts())
                .backoffStrategy(BackoffStrategy.exponentialDelay(config.retryBaseDelay(), config.retryMaxDelay()))
                .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(
                        config.retryBaseDelay().multipliedBy(5), config.retryMaxDelay()))
                .retryOnException(S3Errors::isConditionalConflict)
                .circuitBreakerEnabled(false)
                .build();
        var builder = S3AsyncClient.builder()
                .httpClient(http)
                .region(Region.of(config.region()))
                .credentialsProvider(credentials(config))
                .forcePathStyle(config.pathStyle())
                .overrideConfiguration(o -> o.retryStrategy(retryStrategy).apiCallAttemptTimeout(config.attemptTimeout()));
        config.endpoint().ifPresent(builder::endpointOverride);
        LOGGER.info("Object store {}", config);
        return new S3ObjectStore(config, eventLoops, http, builder.build());
    }

    public S3Config config() {
        return config;
    }

    @Override
    public CompletableFuture<ObjectInfo> putFile(String key, Path file, PutCondition condition) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new ObjectStoreException("cannot read " + file, false, e));
        }
        if (size <= config.partSize()) {
            PutObjectRequest.Builder request = PutObjectRequest.builder().bucket(config.bucket()).key(fullKey(key));
            condition.applyTo(request::ifNoneMatch, request::ifMatch);
            return call(writes, "PUT", key, () -> s3.putObject(request.build(), AsyncRequestBody.fromFile(file)))
                    .thenApply(response -> new ObjectInfo(key, size, response.eTag()));
        }
        MultipartFileUpload upload = new MultipartFileUpload(
                s3, writes, config.bucket(), fullKey(key), file, size, config.partSize(), condition);
        return translated("multipart PUT", key, () -> upload.run(config.partConcurrency()))
                .thenApply(etag -> new ObjectInfo(key, size, etag));
    }

    @Override
    public CompletableFuture<ObjectInfo> put(String key, byte[] bytes, PutCondition condition) {
        PutObjectRequest.Builder request = PutObjectRequest.builder().bucket(config.bucket()).key(fullKey(key));
        condition.applyTo(request::ifNoneMatch, request::ifMatch);
        return call(writes, "PUT", key, () -> s3.putObject(request.build(), AsyncRequestBody.fromBytes(bytes)))
                .thenApply(response -> new ObjectInfo(key, bytes.length, response.eTag()));
    }

    @Override
    public CompletableFuture<byte[]> get(String key) {
        return call(reads, "GET", key, () -> s3.getObject(b -> b.bucket(config.bucket()).key(fullKey(key)),
                        AsyncResponseTransformer.toBytes()))
                .thenApply(ResponseBytes::asByteArrayUnsafe);
    }

    @Override
    public CompletableFuture<ByteBuffer> getRange(String key, long position, int length) {
        if (position < 0 || length < 0) {
            throw new IllegalArgumentException("position and length must not be negative");
        }
        if (length == 0) {
            return CompletableFuture.completedFuture(ByteBuffer.allocate(0));
        }
        String range = "bytes=" + position + "-" + (position + length - 1);
        CompletableFuture<RangeBytesTransformer.Result> response = reads.submit(() -> s3.getObject(
                b -> b.bucket(config.bucket()).key(fullKey(key)).range(range), new RangeBytesTransformer(length)));
        return response.handle((result, error) -> {
            if (error == null) {
                return rangeOf(result.response(), result.body(), position, length);
            }
            if (S3Errors.status(error).filter(s -> s == S3Errors.RANGE_NOT_SATISFIABLE).isPresent()) {
                return ByteBuffer.allocate(0); // the range starts at or past the end of the object
            }
            throw S3Errors.translate("GET range", key, error);
        });
    }

    @Override
    public CompletableFuture<Optional<ObjectInfo>> head(String key) {
        return reads.submit(() -> s3.headObject(b -> b.bucket(config.bucket()).key(fullKey(key))))
                .handle((response, error) -> {
                    if (error == null) {
                        return Optional.of(new ObjectInfo(key, response.contentLength(), response.eTag()));
                    }
                    if (S3Errors.status(error).filter(s -> s == S3Errors.NOT_FOUND).isPresent()) {
                        return Optional.empty();
                    }
                    throw S3Errors.translate("HEAD", key, error);
                });
    }

    @Override
    public CompletableFuture<ListPage> list(String prefix, String continuationToken, int maxKeys) {
        return call(reads, "LIST", prefix, () -> s3.listObjectsV2(b -> b.bucket(config.bucket())
                        .prefix(fullKey(prefix))
                        .continuationToken(continuationToken)
                        .maxKeys(maxKeys)))
                .thenApply(this::toPage);
    }

    @Override
    public CompletableFuture<Void> deleteAll(Collection<String> keys) {
        List<String> distinct = new ArrayList<>(new LinkedHashSet<>(keys));
        List<CompletableFuture<List<S3Error>>> batches = new ArrayList<>();
        for (int from = 0; from < distinct.size(); from += DELETE_BATCH_SIZE) {
            batches.add(deleteBatch(distinct.subList(from, Math.min(distinct.size(), from + DELETE_BATCH_SIZE))));
        }
        return CompletableFuture.allOf(batches.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<S3Error> errors = batches.stream().flatMap(b -> b.join().stream()).toList();
            if (!errors.isEmpty()) {
                throw deleteFailure(errors, distinct.size());
            }
            return null;
        });
    }

    @Override
    public void close() {
        s3.close();
        http.close();
        // A short quiet period lets the pool's connections finish closing on the loops first: with none, the loops
        // close them while terminating and the SDK's close listeners log RejectedExecutionException stack traces
        eventLoops.eventLoopGroup().shutdownGracefully(CLOSE_QUIET.toMillis(), CLOSE_TIMEOUT.toMillis(),
                        TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(CLOSE_TIMEOUT.toMillis());
    }

    private CompletableFuture<List<S3Error>> deleteBatch(List<String> keys) {
        List<ObjectIdentifier> ids = keys.stream().map(k -> ObjectIdentifier.builder().key(fullKey(k)).build()).toList();
        Delete delete = Delete.builder().objects(ids).quiet(true).build();
        return call(writes, "DELETE", keys.get(0) + " (+" + (keys.size() - 1) + " keys)",
                () -> s3.deleteObjects(b -> b.bucket(config.bucket()).delete(delete)))
                .thenApply(response -> response.errors());
    }

    private ObjectStoreException deleteFailure(List<S3Error> errors, int total) {
        String detail = errors.stream()
                .limit(10)
                .map(e -> stripPrefix(e.key()) + " (" + e.code() + ": " + e.message() + ")")
                .collect(Collectors.joining(", "));
        boolean retriable = errors.stream().allMatch(e -> e.code() != null
                && (e.code().equals("InternalError") || e.code().equals("SlowDown")
                        || e.code().equals("ServiceUnavailable")));
        return new ObjectStoreException("could not delete " + errors.size() + " of " + total + " keys: " + detail
                + (errors.size() > 10 ? ", ..." : ""), retriable, null);
    }

    private ListPage toPage(ListObjectsV2Response response) {
        List<ObjectInfo> objects = response.contents().stream()
                .map(o -> new ObjectInfo(stripPrefix(o.key()), o.size(), o.eTag()))
                .toList();
        boolean more = Boolean.TRUE.equals(response.isTruncated()) && response.nextContinuationToken() != null;
        return new ListPage(objects, more ? response.nextContinuationToken() : null);
    }

    /** The requested slice, also when a server ignored the Range header and sent everything. */
    private static ByteBuffer rangeOf(GetObjectResponse response, ByteBuffer body, long position, int length) {
        ByteBuffer buffer = body;
        if (response.contentRange() == null && position > 0) {
            if (position >= buffer.remaining()) {
                return ByteBuffer.allocate(0);
            }
            buffer.position((int) position);
            buffer = buffer.slice();
        }
        if (buffer.remaining() > length) {
            buffer.limit(length);
            buffer = buffer.slice();
        }
        return buffer;
    }

    /** Runs one SDK call through {@code limiter} (reads or writes) and translates its failure. */
    private <T> CompletableFuture<T> call(RequestLimiter limiter, String operation, String key,
                                          Supplier<CompletableFuture<T>> sdkCall) {
        return translated(operation, key, () -> limiter.submit(sdkCall));
    }

    private static <T> CompletableFuture<T> translated(
            String operation, String key, Supplier<CompletableFuture<T>> call) {
        return call.get().handle((value, error) -> {
            if (error != null) {
                throw S3Errors.translate(operation, key, error);
            }
            return value;
        });
    }

    private String fullKey(String key) {
        return config.prefix() + key;
    }

    private String stripPrefix(String fullKey) {
        return fullKey.startsWith(config.prefix()) ? fullKey.substring(config.prefix().length()) : fullKey;
    }

    private static AwsCredentialsProvider credentials(S3Config config) {
        if (config.hasStaticCredentials()) {
            return StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(config.accessKey().get(), config.secretKey().get()));
        }
        return DefaultCredentialsProvider.builder().build();
    }
}
