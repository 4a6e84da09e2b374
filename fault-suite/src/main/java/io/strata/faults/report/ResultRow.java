package io.strata.faults.report;

import io.strata.faults.check.Verdict;

/**
 * One line of the campaign's results table.
 *
 * @param fault          what was injected, e.g. {@code kill -9}
 * @param faultsInjected how many times
 * @param verdict        the checker's counts
 * @param failedSends    sends the producers were told failed (not judged: they may or may not be in the log)
 * @param crashes        broker exits nobody asked for
 * @param notes          what else the run showed
 */
public record ResultRow(String fault, long faultsInjected, Verdict verdict, long failedSends, long crashes,
                        String notes) {

    /** The Markdown table header matching {@link #markdown()}. */
    public static final String HEADER = String.join("\n",
            "| fault | faults injected | records acknowledged | lost | duplicated | misplaced | rolled back | gaps "
                    + "| failed sends | fuzz inputs run | crashes | notes |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");

    public String markdown() {
        return String.format("| %s | %d | %d | %d | %d | %d | %d | %d | %d | - | %d | %s |", fault, faultsInjected,
                verdict.acknowledged(), verdict.lost(), verdict.duplicated(), verdict.misplaced(),
                verdict.rolledBack(), verdict.gaps(), failedSends, crashes, notes.replace("|", "/").replace("\n", " "));
    }
}
