package io.strata.tiering.remote;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The "fenced: stop writing" half of every {@link PrefixLease}: set once, with its reason, never
 * cleared. The first {@link #fence} logs the one ERROR line and calls the listeners. Thread-safe.
 */
abstract class FenceableLease implements PrefixLease {

    private static final Logger LOGGER = LoggerFactory.getLogger(FenceableLease.class);

    private final AtomicReference<String> reason = new AtomicReference<>();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    @Override
    public final void fence(String why) {
        if (!reason.compareAndSet(null, why)) {
            return;
        }
        LOGGER.error("Fenced: this broker stops writing to the bucket ({}). It keeps serving what it has, but "
                + "uploads, manifests, retention deletes and group offsets no longer reach the bucket; find the "
                + "other broker that uses the same bucket and prefix", why);
        listeners.forEach(listener -> listener.accept(why));
    }

    @Override
    public final Optional<String> fencedReason() {
        return Optional.ofNullable(reason.get());
    }

    @Override
    public final void onFenced(Consumer<String> listener) {
        listeners.add(listener);
        String why = reason.get();
        if (why != null && listeners.remove(listener)) {
            listener.accept(why);
        }
    }

    /** Throws {@link WriterFencedException} if fenced. */
    final void checkNotFenced() {
        String why = reason.get();
        if (why != null) {
            throw new WriterFencedException("fenced: " + why, false);
        }
    }
}
