package io.strata.tiering.remote;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.strata.objectstore.ObjectInfo;
import io.strata.objectstore.ObjectStore;
import io.strata.objectstore.ObjectStoreException;
import io.strata.objectstore.PreconditionFailedException;
import io.strata.objectstore.PutCondition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single-broker mode's {@link PrefixLease}: the broker claims its bucket prefix with an object at the
 * prefix's root, {@value #KEY}, written only with conditional PUTs. Example:
 * <pre>
 * {
 *   "version" : 1,
 *   "owner" : "0b6f4c1e-7d0e-4d8a-9a51-3c2f1e0d9b7a",
 *   "holder" : "broker 1 on host broker-a, pid 4242",
 *   "generation" : 2,
 *   "renewedAt" : "2026-12-07T12:00:00.000Z",
 *   "expiresAt" : "2026-12-07T12:00:30.000Z"
 * }
 * </pre>
 * {@code owner} is the holder's writer id (kept in its data directory, so a restart of the same broker
 * recognises its own claim), {@code holder} says who that is for people, {@code generation} grows by
 * one with each new holder and is the writer generation every manifest carries, {@code expiresAt} is
 * {@code renewedAt} plus the claim's time to live, on the holder's clock.
 *
 * <p>At start ({@link #acquire}): no object → create it with {@code If-None-Match: *}, generation 1; an
 * object whose {@code expiresAt} has passed (its holder died or released it), or whose owner is this
 * broker's own writer id (an earlier run on this data directory, which cannot still be running because
 * the writer id file is locked while a broker runs) → replace it with {@code If-Match} its ETag and
 * generation + 1; any other object → refuse with {@link PrefixClaimedException}, naming the holder and
 * the expiry. A lost race (412) reads the object again.
 *
 * <p>When the bucket does not answer at start, the broker starts without the claim, writes nothing to
 * the bucket, and the daemon thread tries to take the claim every {@code renewInterval}; finding
 * another live holder then fences the broker (it has started already, so it cannot refuse to).
 *
 * <p>While running, a daemon thread renews the claim every {@code renewInterval} with {@code If-Match}
 * the ETag it last wrote. A 412 means another broker took the prefix: fenced, for good. Any other
 * failure is retried at the next interval; once {@code ttl - renewInterval} has passed since the start
 * of the last successful renewal the broker stops writing (a lapse, {@code renewInterval} before any
 * other broker may take over), and resumes when a renewal succeeds (its {@code If-Match} proves nobody
 * took over). Expiry is compared on each broker's own clock, so clocks must agree to better than
 * {@code renewInterval}. {@link #close()} releases the claim ({@code expiresAt} = now) so that the next
 * broker needs not wait. A renewal or claim whose response was lost and whose retry then met its own
 * write (412) is recognised by reading the object back: same owner and generation is ours.
 *
 * <p>Thread-safe.
 */
public final class BucketPrefixClaim extends FenceableLease {

    private static final Logger LOGGER = LoggerFactory.getLogger(BucketPrefixClaim.class);
    /** The claim's key, relative to the prefix. */
    public static final String KEY = "_claim.json";
    private static final int ACQUIRE_ATTEMPTS = 5;

    /** The claim object's JSON. */
    @JsonPropertyOrder({"version", "owner", "holder", "generation", "renewedAt", "expiresAt"})
    record Claim(int version, String owner, String holder, long generation, String renewedAt, String expiresAt) {
        static final int VERSION = 1;

        Instant expiry() {
            return Instant.parse(expiresAt);
        }

        byte[] toJson() {
            return ManifestJson.write(this);
        }

        static Claim fromJson(byte[] json) {
            return ManifestJson.read(json, Claim.class, "prefix claim", Claim::version, VERSION);
        }
    }

    private final ObjectStore store;
    private final String owner;
    private final String holder;
    private final String where;
    private final long ttlMs;
    private final long renewIntervalMs;
    private final Clock clock;
    private final ScheduledExecutorService renewer;
    /** 0 and null until the claim is taken. */
    private volatile long generation;
    private volatile String etag;
    private volatile long writableUntilMs;
    private volatile boolean lapsed;
    private volatile boolean closed;

    private BucketPrefixClaim(ObjectStore store, String owner, String holder, String where, Duration ttl,
                              Duration renewInterval, Clock clock) {
        this.store = store;
        this.owner = owner;
        this.holder = holder;
        this.where = where;
        this.ttlMs = ttl.toMillis();
        this.renewIntervalMs = renewInterval.toMillis();
        this.clock = clock;
        this.renewer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "bucket-claim");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Claims the prefix of {@code store} for the writer {@code owner} and starts renewing it. When the
     * bucket does not answer, the lease is returned unclaimed (not {@link #writable()}) and the claim is
     * tried again every {@code renewInterval}; if it then finds another live holder, the broker is fenced.
     *
     * @param holder        who this broker is, for the messages of other brokers ("broker 1 on host a, pid 42")
     * @param where         the bucket and prefix, for this broker's messages
     * @param ttl           how long a claim lives without renewal
     * @param renewInterval how often it is renewed; less than {@code ttl}
     * @throws PrefixClaimedException when another live broker holds the prefix, or the claim is unreadable
     */
    public static BucketPrefixClaim acquire(ObjectStore store, String owner, String holder, String where,
                                            Duration ttl, Duration renewInterval, Clock clock) {
        if (renewInterval.isZero() || renewInterval.isNegative() || renewInterval.compareTo(ttl) >= 0) {
            throw new IllegalArgumentException("the claim's renewal interval (" + renewInterval.toMillis()
                    + " ms) must be positive and shorter than its time to live (" + ttl.toMillis() + " ms)");
        }
        BucketPrefixClaim lease = new BucketPrefixClaim(store, owner, holder, where, ttl, renewInterval, clock);
        try {
            lease.claim();
        } catch (CompletionException e) {
            LOGGER.warn("Could not reach the bucket to claim {} ({}); the broker starts without writing to the bucket "
                    + "and claims it every {} ms until it can", where, rootMessage(e), renewInterval.toMillis());
        }
        lease.renewer.scheduleWithFixedDelay(lease::renewOrClaim, renewInterval.toMillis(), renewInterval.toMillis(),
                TimeUnit.MILLISECONDS);
        return lease;
    }

    /**
     * Takes the claim: creates it, or takes over an expired one or this writer's own.
     *
     * @throws PrefixClaimedException when another live broker holds it
     * @throws CompletionException    when the bucket does not answer
     */
    private void claim() {
        for (int attempt = 1; ; attempt++) {
            long now = clock.millis();
            Optional<ObjectInfo> current = await(store.head(KEY));
            Optional<Claim> previous = Optional.empty();
            if (current.isPresent()) {
                previous = Optional.of(read());
                Claim claim = previous.get();
                if (!claim.owner().equals(owner) && claim.expiry().toEpochMilli() > now) {
                    throw new PrefixClaimedException("Cannot start: " + where + " is claimed by " + claim.holder()
                            + " (writer id " + claim.owner() + ", generation " + claim.generation() + ") until "
                            + claim.expiresAt() + ": another broker writes there. Stop it or give this broker a "
                            + "prefix of its own (s3.prefix / STRATA_S3_PREFIX); the claim of a broker that died "
                            + "can be taken over once it expires");
                }
            }
            long next = previous.map(c -> c.generation() + 1).orElse(1L);
            Claim claim = claim(owner, holder, next, now, ttlMs);
            PutCondition condition = current.map(info -> PutCondition.ifMatch(info.etag())).orElse(PutCondition.IF_ABSENT);
            try {
                ObjectInfo written = await(store.put(KEY, claim.toJson(), condition));
                generation = next;
                etag = written.etag();
                writableUntilMs = now + ttlMs - renewIntervalMs;
                LOGGER.info("Claimed {} as writer {} generation {}{} until {}", where, owner, next,
                        previous.map(p -> " (taking it over from " + p.holder() + ", generation " + p.generation()
                                + ", expired " + p.expiresAt() + ")").orElse(""), claim.expiresAt());
                return;
            } catch (CompletionException e) {
                if (!(e.getCause() instanceof PreconditionFailedException) || attempt == ACQUIRE_ATTEMPTS) {
                    throw e;
                }
                LOGGER.info("Another broker wrote the claim of {} at the same time; reading it again", where);
            }
        }
    }

    private Claim read() {
        byte[] json = await(store.get(KEY));
        try {
            return Claim.fromJson(json);
        } catch (RuntimeException e) {
            throw new PrefixClaimedException("Cannot start: the claim object " + KEY + " of " + where
                    + " cannot be read (" + e.getMessage() + "); if no broker uses this prefix, delete it");
        }
    }

    /** The periodic task: renews the claim, or takes it if the bucket did not answer at start. */
    private void renewOrClaim() {
        if (etag != null) {
            renew();
            return;
        }
        if (closed || fencedReason().isPresent()) {
            return;
        }
        try {
            claim();
        } catch (PrefixClaimedException e) {
            fence(e.getMessage().replaceFirst("^Cannot start: ", ""));
        } catch (RuntimeException e) {
            LOGGER.warn("Could not claim {} yet (retrying in {} ms): {}", where, renewIntervalMs, rootMessage(e));
        }
    }

    private static Claim claim(String owner, String holder, long generation, long nowMs, long ttlMs) {
        return new Claim(Claim.VERSION, owner, holder, generation, Instant.ofEpochMilli(nowMs).toString(),
                Instant.ofEpochMilli(nowMs + ttlMs).toString());
    }

    /** Runs the periodic task now, as the renewal thread does every interval (for tests). */
    void renewNow() {
        renewOrClaim();
    }

    /** One renewal: If-Match the ETag last written. */
    private void renew() {
        if (closed || fencedReason().isPresent()) {
            return;
        }
        long started = clock.millis();
        try {
            write(claim(owner, holder, generation, started, ttlMs));
            writableUntilMs = started + ttlMs - renewIntervalMs;
            if (lapsed) {
                lapsed = false;
                LOGGER.info("Renewed the claim of the bucket prefix (generation {}); writing to the bucket resumes",
                        generation);
            }
        } catch (CompletionException e) {
            if (e.getCause() instanceof PreconditionFailedException) {
                fence("the claim of the bucket prefix was taken over: " + describeCurrent());
                return;
            }
            if (!writable()) {
                lapsed = true;
            }
            LOGGER.warn("Could not renew the claim of the bucket prefix (generation {}; writing to the bucket {} "
                    + "unless a renewal succeeds): {}", generation,
                    lapsed ? "is stopped" : "stops at " + Instant.ofEpochMilli(writableUntilMs), rootMessage(e));
        } catch (RuntimeException e) {
            LOGGER.warn("Could not renew the claim of the bucket prefix: {}", e.toString());
        }
    }

    /**
     * Writes {@code claim} over the one this lease last wrote; a 412 whose object turns out to be this
     * very claim (a retried request whose first attempt landed) counts as written.
     */
    private void write(Claim claim) {
        try {
            etag = await(store.put(KEY, claim.toJson(), PutCondition.ifMatch(etag))).etag();
        } catch (CompletionException e) {
            if (!(e.getCause() instanceof PreconditionFailedException)) {
                throw e;
            }
            Optional<ObjectInfo> info = await(store.head(KEY));
            Optional<Claim> current = currentClaim();
            if (info.isEmpty() || current.isEmpty() || !current.get().owner().equals(owner)
                    || current.get().generation() != generation) {
                throw e;
            }
            etag = info.get().etag();
        }
    }

    private Optional<Claim> currentClaim() {
        try {
            return Optional.of(Claim.fromJson(await(store.get(KEY))));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private String describeCurrent() {
        return currentClaim().map(c -> "now held by " + c.holder() + " (writer id " + c.owner() + ", generation "
                + c.generation() + ", this broker's is " + generation + ")").orElse("the claim object is gone or "
                + "unreadable");
    }

    @Override
    public long generation() {
        return generation;
    }

    @Override
    public boolean writable() {
        return !closed && fencedReason().isEmpty() && clock.millis() < writableUntilMs;
    }

    @Override
    public void checkWritable() {
        checkNotFenced();
        if (!writable()) {
            throw new WriterFencedException("the claim of " + where + (closed ? " was released"
                    : etag == null ? " is not taken yet (the bucket did not answer)"
                    : " was not renewed in time (since " + Instant.ofEpochMilli(writableUntilMs) + ")"), true);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        renewer.shutdownNow();
        try {
            renewer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (fencedReason().isPresent() || etag == null) {
            return;
        }
        long now = clock.millis();
        try {
            write(new Claim(Claim.VERSION, owner, holder, generation, Instant.ofEpochMilli(now).toString(),
                    Instant.ofEpochMilli(now).toString()));
            LOGGER.info("Released the claim of {} (generation {})", where, generation);
        } catch (RuntimeException e) {
            LOGGER.warn("Could not release the claim of {}; another broker can take it over once it "
                    + "expires, within {} ms: {}", where, ttlMs, rootMessage(e));
        }
    }

    /**
     * Waits for one request to the bucket for at most the renewal interval: an answer that comes later is of
     * no use (the next renewal is due), and a request that never answers must not stop the renewals, which are
     * what notices a takeover. A late answer is harmless: the next write's {@code If-Match} sorts it out.
     */
    private <T> T await(CompletableFuture<T> request) {
        try {
            return request.get(renewIntervalMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            request.cancel(true);
            throw new CompletionException(new ObjectStoreException("the bucket did not answer within "
                    + renewIntervalMs + " ms", true, null));
        } catch (ExecutionException e) {
            throw new CompletionException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(new ObjectStoreException("interrupted while waiting for the bucket",
                    true, e));
        }
    }

    /** The innermost cause's message, without its class name (log lines a user reads name no Java classes). */
    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }
}
