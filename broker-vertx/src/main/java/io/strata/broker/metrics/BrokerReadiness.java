package io.strata.broker.metrics;

import java.util.Optional;

/**
 * What {@code GET /ready} answers: ready when the Kafka listener is bound, the log manager is open and,
 * when the broker tiers, the bucket answered a listing at start-up. The broker sets each condition as
 * its start-up reaches it and clears readiness when it starts closing, or for good when it was fenced
 * (another broker writes under its bucket prefix). Thread-safe.
 */
public final class BrokerReadiness {

    private volatile boolean logsOpen;
    private volatile boolean listenerBound;
    private volatile String bucketProblem = "the bucket has not been checked yet";
    private volatile boolean closing;
    private volatile String fenced;

    public void logsOpened() {
        logsOpen = true;
    }

    public void listenerBound() {
        listenerBound = true;
    }

    /** The bucket answered (or the broker does not tier). */
    public void bucketReachable() {
        bucketProblem = null;
    }

    public void bucketUnreachable(String reason) {
        bucketProblem = "the bucket was not reachable at start-up: " + reason;
    }

    /** Another broker writes under this broker's bucket prefix: this one stopped writing to the bucket. */
    public void fenced(String reason) {
        fenced = reason;
    }

    public void closing() {
        closing = true;
    }

    /** Why the broker is not ready, or empty when it is. */
    public Optional<String> notReadyReason() {
        if (closing) {
            return Optional.of("the broker is shutting down");
        }
        if (fenced != null) {
            return Optional.of("fenced, no longer writing to the bucket: " + fenced);
        }
        if (!logsOpen) {
            return Optional.of("the log manager is not open yet (recovering the data directory)");
        }
        if (!listenerBound) {
            return Optional.of("the Kafka listener is not bound yet");
        }
        return Optional.ofNullable(bucketProblem);
    }
}
