package io.strata.broker.cluster;

import io.strata.tiering.remote.PrefixLease;
import io.strata.tiering.remote.WriterFencedException;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bucket prefix as cluster mode holds it: shared by every broker of the cluster, so there is no claim object
 * and no broker-wide generation (0). Who may write a partition's objects is decided per partition by its leader
 * epoch in the metadata database (the write gate, the upload fence, manifests carrying the epoch); this lease only
 * says whether the broker may write at all: while it is a live member of the cluster ({@code serving}, set once it
 * has joined). A conflicting manifest is not a reason to stop the whole broker here: the write fails, the WARN line
 * says why, and the partition's leadership (which has moved) decides the rest.
 */
public final class SharedPrefixLease implements PrefixLease {
    private static final Logger LOGGER = LoggerFactory.getLogger(SharedPrefixLease.class);

    private volatile BooleanSupplier serving = () -> false;

    /** From now on the broker may write while {@code serving} says so. */
    void writableWhile(BooleanSupplier serving) {
        this.serving = serving;
    }

    @Override
    public long generation() {
        return 0;
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public boolean writable() {
        return serving.getAsBoolean();
    }

    @Override
    public void checkWritable() {
        if (!writable()) {
            throw new WriterFencedException("this broker is not a live member of the cluster now", true);
        }
    }

    @Override
    public void fence(String reason) {
        LOGGER.warn("A write to the bucket was refused: {} (another broker leads that partition at a newer epoch)",
                reason);
    }

    @Override
    public Optional<String> fencedReason() {
        return Optional.empty();
    }

    @Override
    public void onFenced(Consumer<String> listener) {
    }

    @Override
    public void close() {
    }
}
