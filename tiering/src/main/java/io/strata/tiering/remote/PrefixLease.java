package io.strata.tiering.remote;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * The port that says whether this broker may write under its bucket prefix: the right to be the
 * prefix's only writer, held with a writer generation that grows with each new holder. Every write
 * and delete of the remote tier checks it first ({@link #checkWritable()}), every partition manifest
 * carries its {@link #generation()}, and a writer that finds proof of another writer (a manifest
 * changed behind its back, a segment object it did not write) calls {@link #fence} instead of
 * overwriting: from then on nothing is written or deleted.
 *
 * <p>Single-broker mode holds it as a claim object in the bucket ({@link BucketPrefixClaim}); cluster
 * mode will hold it in the metadata database. {@link #exclusive()} is a lease for a bucket nobody else
 * can reach (unit tests). Implementations are thread-safe.
 */
public interface PrefixLease extends AutoCloseable {

    /** The writer generation of this holder: every manifest it writes carries it. */
    long generation();

    /**
     * True while this broker may write: it holds the lease, has renewed it in time and was not fenced.
     * A lapse (no renewal in time) passes when a renewal succeeds; a fence is for good.
     */
    boolean writable();

    /** Throws {@link WriterFencedException} unless {@link #writable()}. */
    void checkWritable();

    /**
     * Another writer is active under the prefix: stop every write and delete for good. Logs one ERROR
     * (the first time) and tells the {@link #onFenced} listeners.
     */
    void fence(String reason);

    /** Why this broker was fenced; empty while it was not. */
    Optional<String> fencedReason();

    /**
     * Whether the brokers of a cluster share the prefix (each partition fenced by its leader epoch in the metadata
     * database, where committed group offsets live too); false for a prefix one broker claims.
     */
    default boolean shared() {
        return false;
    }

    /** Calls {@code listener} with the reason once this broker is fenced (at once if it already is). */
    void onFenced(Consumer<String> listener);

    /** Stops renewing and, unless fenced, gives the prefix up so that another broker may take it at once. */
    @Override
    void close();

    /** A lease of generation 0 over a bucket that nobody else writes (unit tests): fenced only by {@link #fence}. */
    static PrefixLease exclusive() {
        return new ExclusivePrefix();
    }
}
