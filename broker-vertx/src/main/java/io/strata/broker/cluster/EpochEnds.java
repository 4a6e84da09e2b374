package io.strata.broker.cluster;

import io.strata.metadata.EpochStart;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;

/**
 * Where a leader epoch ends, from a partition's epoch history, by Kafka's rule ({@code LeaderEpochFileCache.endOffsetFor}):
 * the latest epoch ends at the log end; an older epoch ends where the next higher epoch starts, and is answered
 * with the largest epoch at or below the one asked for; an epoch below the earliest ends where the earliest starts
 * (never below the log start, as Kafka truncates its cache from the start); an epoch above the latest, or -1, is
 * undefined. OffsetForLeaderEpoch answers with this, so a consumer or follower that saw records of an epoch learns
 * where that epoch's records end on the current leader.
 */
public final class EpochEnds {

    /** An epoch and its end offset ({@link OffsetsForLeaderEpochResponse#UNDEFINED_EPOCH} and -1 when undefined). */
    public record EpochEnd(int epoch, long endOffset) {
        static final EpochEnd UNDEFINED = new EpochEnd(OffsetsForLeaderEpochResponse.UNDEFINED_EPOCH,
                OffsetsForLeaderEpochResponse.UNDEFINED_EPOCH_OFFSET);
    }

    private EpochEnds() {
    }

    public static EpochEnd endOffsetFor(List<EpochStart> history, int requested, long logStart, long logEnd) {
        if (requested == OffsetsForLeaderEpochResponse.UNDEFINED_EPOCH || history.isEmpty()) {
            return EpochEnd.UNDEFINED;
        }
        List<EpochStart> ordered = history.stream().sorted(Comparator.comparingInt(EpochStart::epoch)).toList();
        EpochStart latest = ordered.get(ordered.size() - 1);
        if (requested == latest.epoch()) {
            return new EpochEnd(requested, logEnd);
        }
        EpochStart floor = null;
        EpochStart higher = null;
        for (EpochStart start : ordered) {
            if (start.epoch() <= requested) {
                floor = start;
            } else if (higher == null) {
                higher = start;
            }
        }
        if (higher == null) {
            return EpochEnd.UNDEFINED;
        }
        long end = Math.max(higher.startOffset(), logStart);
        return new EpochEnd(floor == null ? requested : floor.epoch(), Math.min(end, logEnd));
    }
}
