package io.strata.objectstore.s3;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how {@link S3ObjectStore} talks to an S3-compatible server.
 *
 * @param endpoint the server's URL ({@code http://127.0.0.1:9000}); empty means AWS S3's regional
 *     endpoint
 * @param region the signing region (any value works for MinIO and S3Proxy)
 * @param bucket the bucket, which must exist
 * @param prefix prepended to every key; a non-empty prefix without a trailing {@code /} gets one,
 *     so {@code strata} and {@code strata/} both put objects under {@code strata/}
 * @param accessKey with {@code secretKey}: static credentials; when either is empty the AWS
 *     default credential chain is used (environment, system properties, profile, container, IMDS)
 * @param pathStyle {@code bucket} in the path ({@code http://host/bucket/key}) rather than in the
 *     host name; MinIO and S3Proxy need it
 * @param partSize files larger than this are uploaded as multipart uploads in parts of this size
 *     (S3 requires at least 5 MiB); the default of 128 MiB keeps a 1 GiB segment at 10 requests
 * @param partConcurrency parts of one multipart upload in flight at once
 * @param maxConcurrentRequests reads (GET, HEAD, LIST) of this store in flight at once, and as many
 *     writes (PUT, multipart parts, DELETE) besides; more of either are queued apart
 * @param maxAttempts attempts per request, the first included, on 5xx, 503 SlowDown, throttling,
 *     I/O errors and timeouts
 * @param retryBaseDelay the base of the exponential backoff (with full jitter) between attempts
 * @param retryMaxDelay the cap of that backoff
 * @param connectTimeout TCP connect timeout
 * @param ioTimeout how long a connection may sit without reading or writing a byte mid-request;
 *     this is what detects a stalled server, and the attempt is retried
 * @param attemptTimeout the longest one attempt of one request may take (large parts included), a
 *     last-resort bound. Keep it well above {@code ioTimeout}: with SDK 2.57 the attempt after one
 *     that hit this timeout can fail at once with the first one's cancellation (the store then
 *     reports a retriable failure instead of retrying itself)
 */
public record S3Config(
        Optional<URI> endpoint,
        String region,
        String bucket,
        String prefix,
        Optional<String> accessKey,
        Optional<String> secretKey,
        boolean pathStyle,
        long partSize,
        int partConcurrency,
        int maxConcurrentRequests,
        int maxAttempts,
        Duration retryBaseDelay,
        Duration retryMaxDelay,
        Duration connectTimeout,
        Duration ioTimeout,
        Duration attemptTimeout) {

    /** S3's smallest part of a multipart upload (all parts but the last). */
    public static final long MIN_PART_SIZE = 5L * 1024 * 1024;

    public static final String DEFAULT_REGION = "us-east-1";
    public static final String DEFAULT_BUCKET = "strata";

    public static final String ENDPOINT_VARIABLE = "STRATA_S3_ENDPOINT";
    public static final String REGION_VARIABLE = "STRATA_S3_REGION";
    public static final String BUCKET_VARIABLE = "STRATA_S3_BUCKET";
    public static final String PREFIX_VARIABLE = "STRATA_S3_PREFIX";
    public static final String ACCESS_KEY_VARIABLE = "STRATA_S3_ACCESS_KEY";
    public static final String SECRET_KEY_VARIABLE = "STRATA_S3_SECRET_KEY";
    public static final String PATH_STYLE_VARIABLE = "STRATA_S3_PATH_STYLE";
    /** Every variable {@link #fromEnvironment} reads. */
    public static final List<String> ENVIRONMENT_VARIABLES = List.of(ENDPOINT_VARIABLE, REGION_VARIABLE,
            BUCKET_VARIABLE, PREFIX_VARIABLE, ACCESS_KEY_VARIABLE, SECRET_KEY_VARIABLE, PATH_STYLE_VARIABLE);

    public S3Config {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(accessKey, "accessKey");
        Objects.requireNonNull(secretKey, "secretKey");
        prefix = normalizePrefix(prefix);
        if (partSize < MIN_PART_SIZE) {
            throw new IllegalArgumentException("partSize must be at least 5 MiB, was " + partSize);
        }
        requirePositive(partConcurrency, "partConcurrency");
        requirePositive(maxConcurrentRequests, "maxConcurrentRequests");
        requirePositive(maxAttempts, "maxAttempts");
        Objects.requireNonNull(retryBaseDelay, "retryBaseDelay");
        Objects.requireNonNull(retryMaxDelay, "retryMaxDelay");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(ioTimeout, "ioTimeout");
        Objects.requireNonNull(attemptTimeout, "attemptTimeout");
    }

    /** A builder with the defaults for {@code bucket}. */
    public static Builder builder(String bucket) {
        return new Builder(bucket);
    }

    /**
     * Reads {@code STRATA_S3_ENDPOINT}, {@code STRATA_S3_REGION}, {@code STRATA_S3_BUCKET},
     * {@code STRATA_S3_PREFIX}, {@code STRATA_S3_ACCESS_KEY}, {@code STRATA_S3_SECRET_KEY} and
     * {@code STRATA_S3_PATH_STYLE} from {@code env}; absent or blank variables keep the defaults
     * (region {@code us-east-1}, bucket {@code strata}, no prefix, the default credential chain,
     * path-style on).
     */
    public static S3Config fromEnvironment(Map<String, String> env) {
        Builder builder = builder(get(env, BUCKET_VARIABLE).orElse(DEFAULT_BUCKET));
        get(env, ENDPOINT_VARIABLE).map(URI::create).ifPresent(builder::endpoint);
        get(env, REGION_VARIABLE).ifPresent(builder::region);
        get(env, PREFIX_VARIABLE).ifPresent(builder::prefix);
        Optional<String> accessKey = get(env, ACCESS_KEY_VARIABLE);
        Optional<String> secretKey = get(env, SECRET_KEY_VARIABLE);
        if (accessKey.isPresent() && secretKey.isPresent()) {
            builder.credentials(accessKey.get(), secretKey.get());
        } else if (accessKey.isPresent() || secretKey.isPresent()) {
            throw new IllegalArgumentException(
                    "set both STRATA_S3_ACCESS_KEY and STRATA_S3_SECRET_KEY, or neither");
        }
        get(env, PATH_STYLE_VARIABLE).map(S3Config::parseBoolean).ifPresent(builder::pathStyle);
        return builder.build();
    }

    /** Static credentials when both keys are set. */
    public boolean hasStaticCredentials() {
        return accessKey.isPresent() && secretKey.isPresent();
    }

    /** This configuration with another key prefix. */
    public S3Config withPrefix(String newPrefix) {
        return toBuilder().prefix(newPrefix).build();
    }

    public Builder toBuilder() {
        Builder b = new Builder(bucket);
        b.endpoint = endpoint;
        b.region = region;
        b.prefix = prefix;
        b.accessKey = accessKey;
        b.secretKey = secretKey;
        b.pathStyle = pathStyle;
        b.partSize = partSize;
        b.partConcurrency = partConcurrency;
        b.maxConcurrentRequests = maxConcurrentRequests;
        b.maxAttempts = maxAttempts;
        b.retryBaseDelay = retryBaseDelay;
        b.retryMaxDelay = retryMaxDelay;
        b.connectTimeout = connectTimeout;
        b.ioTimeout = ioTimeout;
        b.attemptTimeout = attemptTimeout;
        return b;
    }

    @Override
    public String toString() {
        // Never print the secret key.
        return "S3Config[endpoint=" + endpoint.map(URI::toString).orElse("(AWS)") + ", region=" + region
                + ", bucket=" + bucket + ", prefix=" + prefix + ", credentials="
                + (hasStaticCredentials() ? "static " + accessKey.get() : "default chain")
                + ", pathStyle=" + pathStyle + ", partSize=" + partSize + "]";
    }

    private static String normalizePrefix(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            return "";
        }
        return prefix.endsWith("/") ? prefix : prefix + "/";
    }

    private static Optional<String> get(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).map(String::trim).filter(v -> !v.isEmpty());
    }

    private static boolean parseBoolean(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new IllegalArgumentException("STRATA_S3_PATH_STYLE: not a boolean: " + value);
        };
    }

    private static void requirePositive(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, was " + value);
        }
    }

    /** Builds an {@link S3Config}; every setting but the bucket has a default. */
    public static final class Builder {
        private Optional<URI> endpoint = Optional.empty();
        private String region = DEFAULT_REGION;
        private final String bucket;
        private String prefix = "";
        private Optional<String> accessKey = Optional.empty();
        private Optional<String> secretKey = Optional.empty();
        private boolean pathStyle = true;
        private long partSize = 128L * 1024 * 1024;
        private int partConcurrency = 4;
        private int maxConcurrentRequests = 64;
        private int maxAttempts = 8;
        private Duration retryBaseDelay = Duration.ofMillis(100);
        private Duration retryMaxDelay = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration ioTimeout = Duration.ofSeconds(30);
        private Duration attemptTimeout = Duration.ofMinutes(5);

        private Builder(String bucket) {
            this.bucket = Objects.requireNonNull(bucket, "bucket");
        }

        public Builder endpoint(URI endpoint) {
            this.endpoint = Optional.of(endpoint);
            return this;
        }

        public Builder region(String region) {
            this.region = region;
            return this;
        }

        public Builder prefix(String prefix) {
            this.prefix = prefix;
            return this;
        }

        public Builder credentials(String accessKey, String secretKey) {
            this.accessKey = Optional.of(accessKey);
            this.secretKey = Optional.of(secretKey);
            return this;
        }

        public Builder pathStyle(boolean pathStyle) {
            this.pathStyle = pathStyle;
            return this;
        }

        public Builder partSize(long partSize) {
            this.partSize = partSize;
            return this;
        }

        public Builder partConcurrency(int partConcurrency) {
            this.partConcurrency = partConcurrency;
            return this;
        }

        public Builder maxConcurrentRequests(int maxConcurrentRequests) {
            this.maxConcurrentRequests = maxConcurrentRequests;
            return this;
        }

        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        public Builder retryDelays(Duration base, Duration max) {
            this.retryBaseDelay = base;
            this.retryMaxDelay = max;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        public Builder ioTimeout(Duration ioTimeout) {
            this.ioTimeout = ioTimeout;
            return this;
        }

        public Builder attemptTimeout(Duration attemptTimeout) {
            this.attemptTimeout = attemptTimeout;
            return this;
        }

        public S3Config build() {
            return new S3Config(endpoint, region, bucket, prefix, accessKey, secretKey, pathStyle, partSize,
                    partConcurrency, maxConcurrentRequests, maxAttempts, retryBaseDelay, retryMaxDelay,
                    connectTimeout, ioTimeout, attemptTimeout);
        }
    }
}
