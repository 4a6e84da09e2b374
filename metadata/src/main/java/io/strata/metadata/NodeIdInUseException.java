package io.strata.metadata;

/** A broker tried to register a node id that a live broker (another incarnation) holds. */
public class NodeIdInUseException extends RuntimeException {
    public NodeIdInUseException(String message) {
        super(message);
    }
}
