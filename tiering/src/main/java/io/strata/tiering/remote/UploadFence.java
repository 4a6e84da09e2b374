package io.strata.tiering.remote;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;

/**
 * Asked by the uploader after a segment and its index sidecar are in the bucket and before the segment is
 * cataloged as remote and the partition manifest is written: may this broker still record that the bucket
 * holds {@code tp} up to {@code uploadedEnd}? In cluster mode the answer comes from the metadata database (a
 * write conditional on the partition's leader epoch).
 *
 * <ul>
 *   <li>{@code true}: the upload is cataloged and the manifest written, as in single-broker mode;</li>
 *   <li>{@code false}: this broker lost the partition: the segment stays uncataloged (its catalog entry stays in
 *       COPY_STARTED, which readers ignore), the manifest is not written, one WARN line says so, and uploads of
 *       the partition stop until it is reopened ({@code LogManager.reopenFromBucket});</li>
 *   <li>completed exceptionally (the database unreachable): retried like a failed S3 request, with the remote
 *       tier's backoff; the objects already PUT are kept, so the retry only asks again.</li>
 * </ul>
 * Implementations must be thread-safe: the remote tier's copy threads call it concurrently for different
 * partitions.
 */
@FunctionalInterface
public interface UploadFence {

    /** The fence of single-broker mode: every upload is confirmed. */
    UploadFence ALWAYS = (tp, uploadedEnd) -> CompletableFuture.completedFuture(true);

    /**
     * @param tp          the partition whose segment was uploaded
     * @param uploadedEnd one past the last offset of the uploaded segment
     * @return whether the upload may be cataloged (see the class comment)
     */
    CompletableFuture<Boolean> confirm(TopicPartition tp, long uploadedEnd);

    /**
     * The partition's manifest now lists uploaded segments up to {@code end}: what else keeps offsets below it
     * (write-ahead-log ranges) may be released. Best effort, must not block; nothing by default.
     */
    default void manifested(TopicPartition tp, long end) {
    }
}
