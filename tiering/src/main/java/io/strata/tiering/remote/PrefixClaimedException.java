package io.strata.tiering.remote;

import io.strata.tiering.StartRefusedException;

/**
 * The broker cannot claim its bucket prefix, because another live broker holds it (or the claim
 * object cannot be read). The message is one line for the operator: who holds it and until when.
 */
public final class PrefixClaimedException extends StartRefusedException {
    public PrefixClaimedException(String message) {
        super(message);
    }
}
