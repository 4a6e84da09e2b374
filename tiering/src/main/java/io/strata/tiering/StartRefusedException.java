package io.strata.tiering;

/**
 * The broker will not start on what it found (data the catalog cannot explain, a bucket of another cluster or
 * claimed by another broker, an object of the bucket that fails its checks): nothing was changed, and the message
 * says what is wrong and what the user can do. The broker's entry point prints it as one line and exits with 1.
 */
public class StartRefusedException extends IllegalStateException {

    public StartRefusedException(String message) {
        super(message);
    }
}
