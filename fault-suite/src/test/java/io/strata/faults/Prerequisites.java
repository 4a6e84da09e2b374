package io.strata.faults;

import org.junit.jupiter.api.Assumptions;

/** What a fault test does when its fault cannot be injected here (no gcc, not root). */
public final class Prerequisites {

    private Prerequisites() {}

    /** Skips the test with {@code reason}, or fails it when {@code CI=true}: CI must run every fault. */
    public static void skipOrFail(String reason) {
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI=true, and this fault cannot be injected: " + reason);
        }
        Assumptions.abort(reason);
    }
}
