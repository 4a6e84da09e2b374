package io.strata.faults.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.faults.check.Checker;
import io.strata.faults.check.FinalLog;
import io.strata.faults.check.Verdict;
import io.strata.faults.load.FinalRead;
import io.strata.faults.load.Workload;
import io.strata.faults.report.CampaignReport;
import io.strata.faults.report.ResultRow;
import io.strata.objectstore.s3proxy.S3ProxyServer;
import java.time.Duration;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What every fault test shares: short or long sizes, the bucket settings and the final judgement (full read,
 * checker, results row).
 */
final class FaultRun {

    private static final Duration FINAL_READ_TIMEOUT = Duration.ofSeconds(180);

    private FaultRun() {}

    /** {@code shortValue} in {@code mvn verify}, {@code longValue} in the campaign ({@code -Dfaults.campaign=true}). */
    static int size(int shortValue, int longValue) {
        return CampaignReport.campaign() ? longValue : shortValue;
    }

    /**
     * Reads the whole topic, checks it against the workload's history, records the results row and asserts
     * the checker passed.
     */
    static Verdict judge(String name, String fault, long faultsInjected, String bootstrap, String topic,
                         int partitions, Workload workload, long crashes, String notes) {
        Verdict verdict = record(name, fault, faultsInjected, bootstrap, topic, partitions, workload, crashes, notes);
        assertPassed(verdict);
        return verdict;
    }

    static void assertPassed(Verdict verdict) {
        assertThat(verdict.acknowledged()).as("records acknowledged").isPositive();
        assertThat(verdict.passed()).as("checker: %s", verdict.summary()).isTrue();
    }

    /** Reads the whole topic, checks it against the workload's history and records the results row. */
    static Verdict record(String name, String fault, long faultsInjected, String bootstrap, String topic,
                         int partitions, Workload workload, long crashes, String notes) {
        FinalLog log = FinalRead.read(bootstrap, topic, partitions, FINAL_READ_TIMEOUT);
        Verdict verdict = Checker.check(workload.history(), log);
        String allNotes = notes + (workload.history().events().isEmpty() ? ""
                : "; consumer events: " + workload.history().events().size());
        CampaignReport.record(name, new ResultRow(fault, faultsInjected, verdict, workload.failed(), crashes, allNotes));
        System.out.printf("%s: %s%nfailed sends by class: %s%nevents: %s%nlog start %s, end %s%n", fault, verdict,
                workload.history().failures(), workload.history().events(), log.logStartOffsets(), log.endOffsets());
        return verdict;
    }

    /**
     * Broker properties that tier to {@code s3}'s bucket under {@code prefix}, reached at {@code endpoint} (the
     * server itself, or a fault proxy in front of it).
     */
    /** A disk is lost: {@code dataDir} is deleted with everything in it, then created empty. */
    static void loseDisk(Path dataDir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> walk = java.nio.file.Files.walk(dataDir)) {
            for (Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(path);
            }
        }
        java.nio.file.Files.createDirectories(dataDir);
    }

    static Map<String, String> bucketProperties(S3ProxyServer s3, String endpoint, String prefix) {
        Map<String, String> properties = new HashMap<>();
        properties.put("s3.endpoint", endpoint);
        properties.put("s3.access.key", s3.settings().accessKey());
        properties.put("s3.secret.key", s3.settings().secretKey());
        properties.put("s3.bucket", s3.settings().bucket());
        properties.put("s3.region", S3ProxyServer.REGION);
        properties.put("s3.path.style", "true");
        properties.put("s3.prefix", prefix);
        return properties;
    }
}
