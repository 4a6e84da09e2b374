package io.strata.metadata;

import java.util.UUID;

/**
 * The controller lease: who holds it ({@code nodeId} and {@code incarnation}), at which controller epoch, and
 * how many times the holder renewed it. A broker takes the lease over only by a compare-and-set on the epoch
 * and renewal count it saw stand still for a whole session timeout on its own clock.
 */
public record ControllerState(long epoch, int nodeId, UUID incarnation, long heartbeats) {
}
