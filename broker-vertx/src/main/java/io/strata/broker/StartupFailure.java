package io.strata.broker;

import io.strata.broker.config.BrokerConfig;
import io.strata.broker.config.ConfigException;
import io.strata.broker.config.TieringSettings;
import io.strata.objectstore.ObjectStoreException;
import io.strata.tiering.StartRefusedException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * A start-up failure the user can fix (a setting, the bucket, a port, the data directory), with a message of one
 * line that says what is wrong and what to do. {@code main} prints that line and exits with 1, without a stack trace
 * ({@link StrataMain}). {@link #explain} turns what start-up failed with into one, when it is such a failure.
 */
public final class StartupFailure extends RuntimeException {

    private static final String S3_ENDPOINT = "s3.endpoint (STRATA_S3_ENDPOINT)";
    /** A class name before a message ({@code java.net.ConnectException: }), as the AWS SDK nests them. */
    private static final Pattern CLASS_PREFIX = Pattern.compile("\\b[\\w.]+\\.\\w+(Exception|Error): ");

    public StartupFailure(String message) {
        super(message, null, false, false);
    }

    /**
     * {@code failure} as a start-up failure the user can fix, or {@code failure} itself (as a runtime exception) when
     * it is none that this knows: a bug, whose stack trace is wanted.
     */
    static RuntimeException explain(Throwable failure, BrokerConfig config, TieringSettings tiering) {
        return userCause(failure, config, tiering).<RuntimeException>map(StartupFailure::new)
                .orElseGet(() -> failure instanceof RuntimeException runtime ? runtime
                        : new IllegalStateException("Could not start the broker: " + failure, failure));
    }

    /** One line on a failure of the bucket, without class names (for the log of the start-up probe too). */
    static String describeBucketFailure(Throwable failure, TieringSettings tiering) {
        return userCause(failure, null, tiering).orElseGet(() -> String.valueOf(deepestMessage(failure)));
    }

    private static Optional<String> userCause(Throwable failure, BrokerConfig config, TieringSettings tiering) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof StartupFailure known) {
                return Optional.of(known.getMessage());
            }
            if (cause instanceof StartRefusedException refused) {
                return Optional.of(refused.getMessage());
            }
            if (cause instanceof ConfigException invalid) {
                return Optional.of(invalid.getMessage());
            }
            if (cause instanceof AwsServiceException service) {
                return Optional.of(bucketRefused(service, tiering));
            }
            if (cause instanceof ObjectStoreException || cause instanceof SdkClientException) {
                Optional<String> client = clientFailure(cause, tiering);
                if (client.isPresent()) {
                    return client;
                }
            }
            if (cause instanceof BindException bind && config != null) {
                return Optional.of("Could not listen on " + config.listener().host() + ":" + config.listener().port()
                        + " (" + bind.getMessage() + "): another process uses that port; stop it or set "
                        + BrokerConfig.LISTENERS + " to another port.");
            }
        }
        return Optional.empty();
    }

    /** A failure of the S3 client before any answer of the server: no credentials, no connection. */
    private static Optional<String> clientFailure(Throwable failure, TieringSettings tiering) {
        String message = deepestMessage(failure);
        if (message.contains("Unable to load credentials")) {
            return Optional.of("No S3 credentials were found for " + endpoint(tiering) + ": set s3.access.key and "
                    + "s3.secret.key (STRATA_S3_ACCESS_KEY, STRATA_S3_SECRET_KEY), or give the AWS SDK its usual "
                    + "credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, an instance role).");
        }
        if (find(failure, ConnectException.class, UnknownHostException.class, SdkClientException.class) != null) {
            return Optional.of("Could not reach the S3 endpoint " + endpoint(tiering) + " (" + shortened(message)
                    + "): check " + S3_ENDPOINT + " and that the server is running, or set " + TieringSettings.ENABLE
                    + "=false to run without a bucket.");
        }
        return Optional.empty();
    }

    private static String shortened(String message) {
        return message.length() <= 200 ? message : message.substring(0, 200) + "...";
    }

    private static String bucketRefused(AwsServiceException service, TieringSettings tiering) {
        String bucket = tiering.s3().bucket();
        String code = Optional.ofNullable(service.awsErrorDetails()).map(AwsErrorDetails::errorCode).orElse("");
        String detail = "HTTP " + service.statusCode() + (code.isEmpty() ? "" : " " + code);
        if (code.equals("NoSuchBucket")) {
            return "The bucket '" + bucket + "' does not exist at " + endpoint(tiering) + " (" + detail
                    + "): create it, or set s3.bucket (STRATA_S3_BUCKET) to an existing bucket.";
        }
        if (service.statusCode() == 403 || service.statusCode() == 401) {
            return "The S3 endpoint " + endpoint(tiering) + " refused the credentials for bucket '" + bucket + "' ("
                    + detail + "): check s3.access.key and s3.secret.key (STRATA_S3_ACCESS_KEY, "
                    + "STRATA_S3_SECRET_KEY) and the key's rights on the bucket.";
        }
        return "The bucket '" + bucket + "' at " + endpoint(tiering) + " answered " + detail + " ("
                + Optional.ofNullable(service.awsErrorDetails()).map(AwsErrorDetails::errorMessage).orElse("")
                + "): check the s3.* settings (STRATA_S3_*).";
    }

    private static String endpoint(TieringSettings tiering) {
        return tiering.s3().endpoint().map(URI::toString).orElse("AWS S3 (" + tiering.s3().region() + ")");
    }

    @SafeVarargs
    private static Throwable find(Throwable failure, Class<? extends Throwable>... types) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            for (Class<? extends Throwable> type : types) {
                if (type.isInstance(cause)) {
                    return cause;
                }
            }
        }
        return null;
    }

    /** The message of the innermost cause that has one, without the class names the SDK prefixes. */
    static String deepestMessage(Throwable failure) {
        String message = null;
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
                message = cause.getMessage();
            }
        }
        return message == null ? failure.getClass().getSimpleName() : CLASS_PREFIX.matcher(message).replaceAll("");
    }
}
