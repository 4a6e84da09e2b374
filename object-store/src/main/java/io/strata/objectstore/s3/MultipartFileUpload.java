package io.strata.objectstore.s3;

import io.strata.objectstore.PutCondition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * One multipart upload of a file: CreateMultipartUpload, then the parts (each {@code partSize}
 * bytes but the last, read straight from the file) with at most {@code partConcurrency} in flight,
 * then CompleteMultipartUpload, which carries the upload's {@link PutCondition} (S3 checks it when
 * the object would appear, so a lost condition leaves the existing object as it was). If a part or the completion fails, the upload is aborted once no
 * part is in flight any more, so the server drops every uploaded part and no object appears.
 * Each request also goes through the store's {@link RequestLimiter}.
 */
final class MultipartFileUpload {
    private static final Logger LOGGER = LoggerFactory.getLogger(MultipartFileUpload.class);

    private final S3AsyncClient s3;
    private final RequestLimiter limiter;
    private final String bucket;
    private final String key;
    private final Path file;
    private final long size;
    private final long partSize;
    private final PutCondition condition;
    private final int partCount;
    private final CompletedPart[] parts;
    private final AtomicInteger nextPart = new AtomicInteger();
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();

    MultipartFileUpload(
            S3AsyncClient s3, RequestLimiter limiter, String bucket, String key, Path file, long size, long partSize,
            PutCondition condition) {
        this.s3 = s3;
        this.limiter = limiter;
        this.bucket = bucket;
        this.key = key;
        this.file = file;
        this.size = size;
        this.partSize = partSize;
        this.condition = condition;
        this.partCount = Math.toIntExact((size + partSize - 1) / partSize);
        this.parts = new CompletedPart[partCount];
    }

    /** Runs the upload; completes with the object's ETag. */
    CompletableFuture<String> run(int partConcurrency) {
        return limiter.submit(() -> s3.createMultipartUpload(
                        b -> b.bucket(bucket).key(key).checksumAlgorithm(ChecksumAlgorithm.CRC32)))
                .thenCompose(created -> uploadParts(created.uploadId(), partConcurrency)
                        .thenCompose(v -> complete(created.uploadId()))
                        .handle((etag, error) -> error == null
                                ? CompletableFuture.completedFuture(etag)
                                : abort(created.uploadId(), error))
                        .thenCompose(f -> f));
    }

    private CompletableFuture<Void> uploadParts(String uploadId, int partConcurrency) {
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int i = 0; i < Math.min(partConcurrency, partCount); i++) {
            workers.add(uploadRemainingParts(uploadId));
        }
        // allOf completes only when every worker has stopped, so no part is in flight afterwards.
        return CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).thenRun(() -> {
            Throwable failure = firstFailure.get();
            if (failure != null) {
                throw new java.util.concurrent.CompletionException(failure);
            }
        });
    }

    /** One worker: uploads the next part nobody has taken yet, until none is left or one failed. */
    private CompletableFuture<Void> uploadRemainingParts(String uploadId) {
        int index = nextPart.getAndIncrement();
        if (index >= partCount || firstFailure.get() != null) {
            return CompletableFuture.completedFuture(null);
        }
        long position = index * partSize;
        long length = Math.min(partSize, size - position);
        int partNumber = index + 1;
        return limiter.submit(() -> s3.uploadPart(
                        b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber)
                                .contentLength(length).checksumAlgorithm(ChecksumAlgorithm.CRC32),
                        AsyncRequestBody.fromFile(f -> f.path(file).position(position).numBytesToRead(length))))
                .handle((response, error) -> {
                    if (error != null) {
                        firstFailure.compareAndSet(null, error);
                        return CompletableFuture.<Void>completedFuture(null);
                    }
                    parts[index] = CompletedPart.builder()
                            .partNumber(partNumber)
                            .eTag(response.eTag())
                            .checksumCRC32(response.checksumCRC32())
                            .build();
                    return uploadRemainingParts(uploadId);
                })
                .thenCompose(f -> f);
    }

    private CompletableFuture<String> complete(String uploadId) {
        return limiter.submit(() -> s3.completeMultipartUpload(b -> {
                    b.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(Arrays.asList(parts)));
                    condition.applyTo(b::ifNoneMatch, b::ifMatch);
                }))
                .thenApply(CompleteMultipartUploadResponse::eTag);
    }

    private CompletableFuture<String> abort(String uploadId, Throwable cause) {
        LOGGER.warn("Multipart upload of {} ({} bytes, {} parts) failed, aborting it: {}",
                key, size, partCount, S3Errors.unwrap(cause).toString());
        return limiter.submit(() -> s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)))
                .handle((response, abortError) -> {
                    if (abortError != null) {
                        LOGGER.warn("Aborting multipart upload {} of {} failed; the bucket's lifecycle rules must "
                                + "clean it up: {}", uploadId, key, S3Errors.unwrap(abortError).toString());
                    }
                    throw new java.util.concurrent.CompletionException(S3Errors.unwrap(cause));
                });
    }
}
