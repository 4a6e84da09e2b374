package io.strata.faults.check;

import java.util.List;
import java.util.Map;

/**
 * A full read of a topic from its earliest offsets: every record found, in read order, and the log start and
 * end offset of each partition when the read began.
 */
public record FinalLog(List<Observation> records, Map<Integer, Long> logStartOffsets, Map<Integer, Long> endOffsets) {

    public FinalLog {
        records = List.copyOf(records);
        logStartOffsets = Map.copyOf(logStartOffsets);
        endOffsets = Map.copyOf(endOffsets);
    }
}
