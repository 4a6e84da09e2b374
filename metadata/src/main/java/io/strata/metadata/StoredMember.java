package io.strata.metadata;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * One member of a {@link StoredGroup}: its member id and static instance id, the client id and host it joined from,
 * its session and rebalance timeouts, the metadata it offered for the group's selected protocol (a consumer's
 * subscription) and the assignment the leader gave it (both opaque bytes, copied in and out).
 */
public record StoredMember(String memberId, Optional<String> groupInstanceId, String clientId, String clientHost,
                           int sessionTimeoutMs, int rebalanceTimeoutMs, byte[] subscription, byte[] assignment) {
    public StoredMember {
        Objects.requireNonNull(memberId, "memberId");
        Objects.requireNonNull(groupInstanceId, "groupInstanceId");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientHost, "clientHost");
        subscription = subscription.clone();
        assignment = assignment.clone();
    }

    @Override
    public byte[] subscription() {
        return subscription.clone();
    }

    @Override
    public byte[] assignment() {
        return assignment.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StoredMember that
                && memberId.equals(that.memberId) && groupInstanceId.equals(that.groupInstanceId)
                && clientId.equals(that.clientId) && clientHost.equals(that.clientHost)
                && sessionTimeoutMs == that.sessionTimeoutMs && rebalanceTimeoutMs == that.rebalanceTimeoutMs
                && Arrays.equals(subscription, that.subscription) && Arrays.equals(assignment, that.assignment);
    }

    @Override
    public int hashCode() {
        return Objects.hash(memberId, groupInstanceId, clientId, clientHost, sessionTimeoutMs, rebalanceTimeoutMs,
                Arrays.hashCode(subscription), Arrays.hashCode(assignment));
    }

    @Override
    public String toString() {
        return "StoredMember[" + memberId + groupInstanceId.map(id -> " (instance " + id + ")").orElse("")
                + ", client " + clientId + " at " + clientHost + ", session " + sessionTimeoutMs + " ms, rebalance "
                + rebalanceTimeoutMs + " ms, subscription " + subscription.length + " B, assignment "
                + assignment.length + " B]";
    }
}
