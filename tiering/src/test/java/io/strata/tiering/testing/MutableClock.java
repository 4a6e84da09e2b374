package io.strata.tiering.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that tests move by hand. Thread-safe. */
public final class MutableClock extends Clock {

    /** 2023-11-14T22:13:20Z: a fixed, realistic start so that timestamps look like real ones. */
    public static final long DEFAULT_START_MS = 1_700_000_000_000L;

    private final AtomicLong nowMs;

    public MutableClock(long startMs) {
        this.nowMs = new AtomicLong(startMs);
    }

    public MutableClock() {
        this(DEFAULT_START_MS);
    }

    public void advance(Duration duration) {
        nowMs.addAndGet(duration.toMillis());
    }

    public void advanceMs(long ms) {
        nowMs.addAndGet(ms);
    }

    @Override
    public long millis() {
        return nowMs.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(nowMs.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a MutableClock is always UTC");
    }
}
