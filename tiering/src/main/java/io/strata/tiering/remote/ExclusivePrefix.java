package io.strata.tiering.remote;

/** {@link PrefixLease#exclusive()}: generation 0, always held, fenced only when a writer says so. */
final class ExclusivePrefix extends FenceableLease {

    @Override
    public long generation() {
        return 0;
    }

    @Override
    public boolean writable() {
        return fencedReason().isEmpty();
    }

    @Override
    public void checkWritable() {
        checkNotFenced();
    }

    @Override
    public void close() {
    }
}
