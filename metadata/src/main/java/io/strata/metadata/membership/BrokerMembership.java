package io.strata.metadata.membership;

import io.strata.metadata.BrokerRegistration;
import io.strata.metadata.MetadataException;
import io.strata.metadata.MetadataStore;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker's membership of the cluster: registered at start (refused, with the holder named, when a live broker
 * holds the node id), renewed every {@code broker.heartbeat.interval.ms}, removed at a clean shutdown.
 *
 * <p>{@link #serving()} is what every durable action and every acknowledgement checks (CLUSTER.md rule 8): it turns
 * false once {@code broker.session.timeout.ms} minus one heartbeat interval has passed on this broker's monotonic
 * clock since it <em>sent</em> its last successful renewal, so the broker stops before the controller (which
 * waits a whole session timeout on its own clock) can give its partitions away; it turns true again at the next
 * successful renewal. A renewal answered "not yours" (another incarnation took the node id over) stops it for good.
 * A planned shutdown marks it {@link #drain() draining} first, then hands its partitions over, then {@link #close()}s.
 */
public final class BrokerMembership implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(BrokerMembership.class);

    private final MetadataStore store;
    private final BrokerRegistration registration;
    private final long servingNanos;
    private final LongSupplier nanoClock;
    private final ScheduledExecutorService renewer;
    private volatile long lastRenewalSent;
    private volatile Optional<String> replaced = Optional.empty();
    private volatile boolean closed;

    private BrokerMembership(MetadataStore store, BrokerRegistration registration, Duration sessionTimeout,
                             Duration heartbeatInterval, LongSupplier nanoClock) {
        this.store = store;
        this.registration = registration;
        this.servingNanos = sessionTimeout.minus(heartbeatInterval).toNanos();
        this.nanoClock = nanoClock;
        this.renewer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "broker-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Registers this broker and starts renewing every {@code heartbeatInterval} (when {@code renewInBackground}).
     *
     * @throws io.strata.metadata.NodeIdInUseException when a live broker holds the node id
     * @throws MetadataException                       when the database does not answer
     */
    public static BrokerMembership join(MetadataStore store, BrokerRegistration registration, Duration sessionTimeout,
                                        Duration heartbeatInterval, LongSupplier nanoClock, boolean renewInBackground) {
        if (heartbeatInterval.isZero() || heartbeatInterval.isNegative()
                || heartbeatInterval.multipliedBy(2).compareTo(sessionTimeout) > 0) {
            throw new IllegalArgumentException("broker.heartbeat.interval.ms (" + heartbeatInterval.toMillis()
                    + ") must be positive and at most half of broker.session.timeout.ms (" + sessionTimeout.toMillis() + ")");
        }
        BrokerMembership membership = new BrokerMembership(store, registration, sessionTimeout, heartbeatInterval,
                nanoClock);
        long sent = nanoClock.getAsLong();
        store.register(registration, sessionTimeout);
        membership.lastRenewalSent = sent;
        LOGGER.info("Registered broker {} (incarnation {}, {}{}) in {}", registration.nodeId(),
                registration.incarnation(), registration.endpoints(),
                registration.rack().map(rack -> ", rack " + rack).orElse(""), store);
        if (renewInBackground) {
            membership.renewer.scheduleWithFixedDelay(membership::renewNow, heartbeatInterval.toMillis(),
                    heartbeatInterval.toMillis(), TimeUnit.MILLISECONDS);
        }
        return membership;
    }

    /** One renewal, as the background thread runs it every heartbeat interval. */
    public void renewNow() {
        if (closed || replaced.isPresent()) {
            return;
        }
        boolean wasServing = serving();
        long sent = nanoClock.getAsLong();
        try {
            if (store.heartbeat(registration.nodeId(), registration.incarnation())) {
                lastRenewalSent = sent;
                if (!wasServing) {
                    LOGGER.info("Broker {} renewed its registration again: serving", registration.nodeId());
                }
                return;
            }
            replaced = Optional.of("node id " + registration.nodeId() + " was taken over by another incarnation");
            LOGGER.error("Fenced: {}; this broker stops serving", replaced.get());
        } catch (MetadataException e) {
            LOGGER.warn("Could not renew broker {}'s registration ({}): {}", registration.nodeId(),
                    serving() ? "still serving" : "not serving until a renewal succeeds", e.getMessage());
        }
    }

    /** Whether this broker may acknowledge and write now (see the class comment). */
    public boolean serving() {
        return !closed && replaced.isEmpty() && nanoClock.getAsLong() - lastRenewalSent < servingNanos;
    }

    /**
     * Marks this broker draining, the first step of a planned shutdown ({@link MetadataStore#drain}): it keeps
     * renewing and serving while it hands its partitions over, and the controller gives it none meanwhile.
     *
     * @return false when this incarnation no longer holds the node id (it was replaced), or it is closed
     * @throws MetadataException when the database does not answer (nothing was marked; the caller may go on with
     *                           the shutdown, the controller then treats this broker as it would any other)
     */
    public boolean drain() {
        if (closed || replaced.isPresent()) {
            return false;
        }
        boolean marked = store.drain(registration.nodeId(), registration.incarnation());
        if (marked) {
            LOGGER.info("Broker {} is draining: it hands its partitions over and is given none", registration.nodeId());
        }
        return marked;
    }

    /** Why this broker was replaced, if it was: then it never serves again. */
    public Optional<String> replacedReason() {
        return replaced;
    }

    public BrokerRegistration registration() {
        return registration;
    }

    /** Stops renewing and removes the registration (a clean shutdown), when still this incarnation's. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        renewer.shutdownNow();
        if (replaced.isEmpty()) {
            try {
                store.unregister(registration.nodeId(), registration.incarnation());
                LOGGER.info("Unregistered broker {}", registration.nodeId());
            } catch (MetadataException e) {
                LOGGER.warn("Could not unregister broker {}; the controller finds it dead after a session timeout: {}",
                        registration.nodeId(), e.getMessage());
            }
        }
    }
}
