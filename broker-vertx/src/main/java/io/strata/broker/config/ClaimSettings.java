package io.strata.broker.config;

import java.time.Duration;
import java.util.Set;

/**
 * How the broker claims its bucket prefix ({@link io.strata.tiering.remote.BucketPrefixClaim}).
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code bucket.claim.ttl.ms}</td><td>30000</td><td>how long the claim lives without renewal: how long
 *       another broker must wait after this one died</td></tr>
 *   <tr><td>{@code bucket.claim.renew.interval.ms}</td><td>a third of the ttl</td><td>how often it is renewed;
 *       a broker that could not renew for {@code ttl - interval} stops writing to the bucket until it can</td></tr>
 * </table>
 *
 * @param ttl           the claim's time to live
 * @param renewInterval how often it is renewed, shorter than {@code ttl}
 */
public record ClaimSettings(Duration ttl, Duration renewInterval) {

    public static final String TTL_MS = "bucket.claim.ttl.ms";
    public static final String RENEW_INTERVAL_MS = "bucket.claim.renew.interval.ms";
    public static final long DEFAULT_TTL_MS = 30_000;
    static final Set<String> KEYS = Set.of(TTL_MS, RENEW_INTERVAL_MS);

    public static ClaimSettings from(BrokerConfig config) {
        long ttl = config.getLong(TTL_MS, DEFAULT_TTL_MS);
        if (ttl < 3) {
            throw new ConfigException(TTL_MS, Long.toString(ttl), "must be at least 3 ms");
        }
        long renew = config.getLong(RENEW_INTERVAL_MS, ttl / 3);
        if (renew <= 0 || renew >= ttl) {
            throw new ConfigException(RENEW_INTERVAL_MS, Long.toString(renew), "must be positive and less than " + TTL_MS + " (" + ttl
                    + ")");
        }
        return new ClaimSettings(Duration.ofMillis(ttl), Duration.ofMillis(renew));
    }
}
