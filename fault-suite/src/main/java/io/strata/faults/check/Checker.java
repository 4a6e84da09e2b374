package io.strata.faults.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Judges a run: a full read from the earliest offsets ({@link FinalLog}) against what producers were told and
 * consumers saw ({@link History}).
 *
 * <ul>
 *   <li>every acknowledged value is in the final read exactly once, at its acknowledged partition and offset
 *       (else {@code lost}, {@code duplicated} or {@code misplaced}); a value at an offset below its
 *       partition's log start is exempt (retention removed it);</li>
 *   <li>no value occurs twice in the final read, acknowledged or not ({@code duplicated});</li>
 *   <li>each partition's offsets run contiguously from its log start to its end offset ({@code gaps});</li>
 *   <li>every record a consumer saw during the run is still at that position ({@code rolledBack}).</li>
 * </ul>
 * Sends that failed are not judged: their records may or may not be in the log, once. Stateless.
 */
public final class Checker {

    private static final int MAX_EXAMPLES = 10;

    private Checker() {}

    public static Verdict check(History history, FinalLog log) {
        return check(history.acknowledged(), history.seen(), log);
    }

    public static Verdict check(List<Observation> acknowledged, List<Observation> seen, FinalLog log) {
        List<String> examples = new ArrayList<>();
        Map<String, List<Observation>> byValue = new HashMap<>();
        Map<Integer, TreeMap<Long, List<Observation>>> byPosition = new HashMap<>();
        for (Observation record : log.records()) {
            byValue.computeIfAbsent(record.value(), v -> new ArrayList<>(1)).add(record);
            byPosition.computeIfAbsent(record.partition(), p -> new TreeMap<>())
                    .computeIfAbsent(record.offset(), o -> new ArrayList<>(1)).add(record);
        }

        long duplicated = 0;
        for (List<Observation> copies : byValue.values()) {
            if (copies.size() > 1) {
                duplicated += copies.size() - 1;
                example(examples, "duplicated: " + copies);
            }
        }

        long lost = 0;
        long misplaced = 0;
        for (Observation ack : acknowledged) {
            if (ack.offset() < log.logStartOffsets().getOrDefault(ack.partition(), 0L)) {
                continue;
            }
            List<Observation> found = byValue.get(ack.value());
            if (found == null) {
                lost++;
                example(examples, "lost: acknowledged " + ack + ", not in the log");
            } else if (!found.contains(ack)) {
                misplaced++;
                example(examples, "misplaced: acknowledged " + ack + ", found at " + found);
            }
        }

        long gaps = 0;
        for (Map.Entry<Integer, TreeMap<Long, List<Observation>>> partition : byPosition.entrySet()) {
            gaps += gaps(partition.getKey(), partition.getValue(), log, examples);
        }
        for (Map.Entry<Integer, Long> end : log.endOffsets().entrySet()) {
            long start = log.logStartOffsets().getOrDefault(end.getKey(), 0L);
            if (!byPosition.containsKey(end.getKey()) && end.getValue() > start) {
                gaps += end.getValue() - start;
                example(examples, "gap: partition " + end.getKey() + " has no records in " + start + ".."
                        + (end.getValue() - 1));
            }
        }

        long rolledBack = 0;
        for (Observation saw : seen) {
            if (saw.offset() < log.logStartOffsets().getOrDefault(saw.partition(), 0L)) {
                continue;
            }
            List<Observation> now = byPosition.getOrDefault(saw.partition(), new TreeMap<>()).get(saw.offset());
            if (now == null || !now.contains(saw)) {
                rolledBack++;
                example(examples, "rolled back: a consumer saw " + saw + ", the log now has "
                        + (now == null ? "nothing" : now) + " there");
            }
        }
        return new Verdict(acknowledged.size(), log.records().size(), lost, duplicated, misplaced, rolledBack, gaps,
                examples);
    }

    /** Offsets missing between the log start and the end offset, plus offsets read more than once. */
    private static long gaps(int partition, TreeMap<Long, List<Observation>> offsets, FinalLog log,
                             List<String> examples) {
        long gaps = 0;
        long expected = log.logStartOffsets().getOrDefault(partition, 0L);
        for (Map.Entry<Long, List<Observation>> entry : offsets.entrySet()) {
            long offset = entry.getKey();
            if (offset > expected) {
                gaps += offset - expected;
                example(examples, "gap: partition " + partition + " has no records in " + expected + ".." + (offset - 1));
            } else if (offset < expected) {
                gaps++;
                example(examples, "gap: partition " + partition + " has offset " + offset
                        + " below its log start " + expected);
            }
            if (entry.getValue().size() > 1) {
                gaps += entry.getValue().size() - 1;
                example(examples, "gap: partition " + partition + " offset " + offset + " read "
                        + entry.getValue().size() + " times: " + entry.getValue());
            }
            expected = Math.max(expected, offset + 1);
        }
        Long end = log.endOffsets().get(partition);
        if (end != null && end > expected) {
            gaps += end - expected;
            example(examples, "gap: partition " + partition + " has no records in " + expected + ".." + (end - 1)
                    + " (end offset " + end + ")");
        }
        return gaps;
    }

    private static void example(List<String> examples, String example) {
        if (examples.size() < MAX_EXAMPLES) {
            examples.add(example);
        }
    }
}
