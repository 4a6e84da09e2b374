package io.strata.objectstore.s3;

import io.strata.objectstore.ObjectNotFoundException;
import io.strata.objectstore.ObjectStoreException;
import io.strata.objectstore.PreconditionFailedException;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/** Turns what the AWS SDK fails with (after its retries) into the port's exceptions. */
final class S3Errors {
    static final int NOT_FOUND = 404;
    static final int CONFLICT = 409;
    static final int PRECONDITION_FAILED = 412;
    static final int RANGE_NOT_SATISFIABLE = 416;

    private S3Errors() {}

    /** The {@code ObjectStoreException} for a failed {@code operation} on {@code key}. */
    static ObjectStoreException translate(String operation, String key, Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof ObjectStoreException known) {
            return known;
        }
        if (cause instanceof AwsServiceException service) {
            int status = service.statusCode();
            String code = errorCode(service).orElse("");
            if (status == NOT_FOUND && !code.equals("NoSuchBucket") && !code.equals("NoSuchUpload")) {
                return new ObjectNotFoundException(key, cause);
            }
            if (status == PRECONDITION_FAILED) {
                return new PreconditionFailedException(key, cause);
            }
            boolean retriable = status >= 500 || status == 408 || status == 429 || service.isThrottlingException()
                    || isConditionalConflict(cause);
            String message = Optional.ofNullable(service.awsErrorDetails())
                    .map(AwsErrorDetails::errorMessage)
                    .orElse(service.getMessage());
            return new ObjectStoreException(
                    operation + " " + key + " failed: HTTP " + status + " " + code + ": " + message, retriable, cause);
        }
        boolean retriable = cause instanceof SdkClientException || cause instanceof IOException;
        return new ObjectStoreException(operation + " " + key + " failed: " + cause, retriable, cause);
    }

    /** The HTTP status of an S3 error response, if {@code failure} is one. */
    static Optional<Integer> status(Throwable failure) {
        return unwrap(failure) instanceof AwsServiceException service
                ? Optional.of(service.statusCode())
                : Optional.empty();
    }

    /**
     * AWS answers 409 ConditionalRequestConflict when a conditional write races another write of
     * the same key; trying again gets the real answer (success or 412).
     */
    static boolean isConditionalConflict(Throwable failure) {
        return unwrap(failure) instanceof AwsServiceException service
                && service.statusCode() == CONFLICT
                && errorCode(service).filter("ConditionalRequestConflict"::equals).isPresent();
    }

    static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static Optional<String> errorCode(AwsServiceException service) {
        return Optional.ofNullable(service.awsErrorDetails()).map(AwsErrorDetails::errorCode);
    }
}
