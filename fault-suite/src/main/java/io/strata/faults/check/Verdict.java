package io.strata.faults.check;

import java.util.List;

/**
 * What {@link Checker} found. Every count but {@code acknowledged} and {@code records} must be 0 for the run
 * to pass.
 *
 * @param acknowledged records the producers were told are written
 * @param records      records in the final read
 * @param lost         acknowledged values absent from the final read
 * @param duplicated   extra copies: for each value in the final read, its occurrences minus one
 * @param misplaced    acknowledged values present in the final read but not at their acknowledged position
 * @param rolledBack   records a consumer saw during the run that are not at that position any more
 * @param gaps         offsets missing from (or repeated in) a partition's final read between its log start
 *                     and its end
 * @param examples     a few of the offending records, for the failure message
 */
public record Verdict(long acknowledged, long records, long lost, long duplicated, long misplaced, long rolledBack,
                      long gaps, List<String> examples) {

    public Verdict {
        examples = List.copyOf(examples);
    }

    public boolean passed() {
        return lost == 0 && duplicated == 0 && misplaced == 0 && rolledBack == 0 && gaps == 0;
    }

    /** One line with every count, then the examples, one per line. */
    public String summary() {
        StringBuilder text = new StringBuilder(String.format(
                "acknowledged %d, records %d, lost %d, duplicated %d, misplaced %d, rolled back %d, gaps %d",
                acknowledged, records, lost, duplicated, misplaced, rolledBack, gaps));
        examples.forEach(example -> text.append("\n  ").append(example));
        return text.toString();
    }

    @Override
    public String toString() {
        return summary();
    }
}
