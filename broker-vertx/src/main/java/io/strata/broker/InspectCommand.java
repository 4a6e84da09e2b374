package io.strata.broker;

import io.strata.broker.config.BrokerConfig;
import io.strata.broker.config.ClusterSettings;
import io.strata.broker.config.TieringSettings;
import io.strata.metadata.MetadataException;
import io.strata.metadata.MetadataStore;
import io.strata.metadata.postgres.PostgresMetadataStore;
import io.strata.metadata.postgres.PostgresSettings;
import io.strata.objectstore.ObjectInfo;
import io.strata.objectstore.ObjectStore;
import io.strata.tiering.remote.BucketInspector;
import io.strata.tiering.remote.BucketInspector.Inventory;
import io.strata.tiering.remote.BucketInspector.Problem;
import io.strata.tiering.remote.BucketInspector.TopicView;
import io.strata.tiering.remote.GroupManifest;
import io.strata.tiering.remote.GroupManifest.PartitionOffset;
import io.strata.tiering.remote.ManifestSegment;
import io.strata.tiering.remote.PartitionManifest;
import io.strata.tiering.wal.WalInspector;
import io.strata.tiering.wal.WalReferenceCheck;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code strata inspect [list|verify|wal [KEY]]}: what the bucket holds, read from the bucket (the broker may be
 * stopped). {@code list} prints topics, partitions and segments from the manifests, the
 * consumer groups whose committed offsets are in the bucket, and how many write-ahead-log objects it holds;
 * {@code verify} also checks that every listed object exists with the listed size and CRC-32C, that
 * every index sidecar matches its segment, reports objects no manifest references, and checks every object under
 * {@code wal/} ({@link WalInspector#verify}); when {@code metadata.store} names a metadata database (cluster mode),
 * {@code verify} also reads it, read only, and checks the write-ahead-log objects against it
 * ({@link WalReferenceCheck}: {@code WAL_MISSING}, {@code WAL_UNREFERENCED}). {@code wal} lists the write-ahead-log
 * objects with their headers, and {@code wal KEY} decodes one ({@link WalInspectOutput}). Exit code 0 when the
 * bucket is consistent, 1 when {@code verify} found problems (or {@code wal} a damaged object), 2 on errors (an
 * unreachable metadata database included).
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "List or verify the topics, partitions, segments and write-ahead-log objects in the bucket.")
final class InspectCommand implements Callable<Integer> {

    @Parameters(index = "0", defaultValue = "list", description = "list (default), verify, or wal")
    String action;

    @Parameters(index = "1", arity = "0..1", paramLabel = "KEY",
            description = "wal: the key of one write-ahead-log object to decode (as 'inspect wal' lists it)")
    String walKey;

    @Option(names = {"-c", "--config"}, description = "Broker properties file (environment STRATA_* variables win).")
    Path configFile;

    @Option(names = "--segments", description = "list every segment, not only partition summaries")
    boolean segments;

    @Option(names = "--offsets", description = "list every committed offset of every group, not only group summaries")
    boolean offsets;

    @Option(names = "--no-checksums", description = "verify: skip downloading segments and write-ahead-log objects"
            + " to check their CRC-32C and batch CRCs (WAL headers are still read)")
    boolean noChecksums;

    private final PrintStream out;

    InspectCommand() {
        this(System.out);
    }

    InspectCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        if (!action.equals("list") && !action.equals("verify") && !action.equals("wal")) {
            out.println("unknown action '" + action + "': use list, verify or wal");
            return 2;
        }
        if (walKey != null && !action.equals("wal")) {
            out.println("unexpected argument '" + walKey + "': only 'inspect wal' takes a key");
            return 2;
        }
        BrokerConfig config = BrokerConfig.load(Optional.ofNullable(configFile), System.getenv());
        TieringSettings settings = TieringSettings.from(config);
        if (!settings.enabled()) {
            out.println("tiering is disabled (" + TieringSettings.ENABLE + "=false): there is no bucket to inspect");
            return 2;
        }
        try (Bucket bucket = Bucket.openForInspection(settings, config.logDir())) {
            BucketInspector inspector = new BucketInspector(bucket.store().orElseThrow());
            WalInspector wal = new WalInspector(bucket.store().orElseThrow());
            out.println("Bucket: " + bucket.describe());
            if (action.equals("wal")) {
                WalInspectOutput output = new WalInspectOutput(wal, out);
                return walKey == null ? output.list() : output.decode(walKey);
            }
            Inventory inventory = inspector.inventory();
            print(inventory);
            List<ObjectInfo> walObjects = wal.objects();
            out.printf("%d write-ahead-log object(s), %d bytes (inspect wal lists them)%n", walObjects.size(),
                    walObjects.stream().mapToLong(ObjectInfo::size).sum());
            if (action.equals("list")) {
                return 0;
            }
            List<Problem> problems = new ArrayList<>(inspector.verify(inventory, !noChecksums));
            problems.addAll(wal.verify(!noChecksums));
            problems.addAll(checkWalAgainstDatabase(config, bucket.store().orElseThrow()));
            problems.forEach(p -> out.println("PROBLEM " + p));
            out.println(problems.isEmpty() ? "OK: every listed object is present" + (noChecksums ? "" : " and intact")
                    + ", no orphans" : problems.size() + " problem(s)");
            return problems.isEmpty() ? 0 : 1;
        } catch (MetadataException e) {
            out.println(e.getMessage());
            return 2;
        }
    }

    /**
     * The write-ahead-log objects checked against the metadata database ({@link WalReferenceCheck}, through a
     * read-only connection) when {@code metadata.store} names one, else one line saying they were not: the problems.
     */
    private List<Problem> checkWalAgainstDatabase(BrokerConfig config, ObjectStore store) {
        Optional<PostgresSettings> database = ClusterSettings.from(config).store();
        if (database.isEmpty()) {
            out.println("Write-ahead-log objects not checked against a metadata database (no "
                    + ClusterSettings.METADATA_STORE + " configured)");
            return List.of();
        }
        try (MetadataStore metadata = PostgresMetadataStore.openReadOnly(database.get(), "strata-inspect")) {
            WalReferenceCheck.Report report = new WalReferenceCheck(store, metadata).check();
            out.printf("Write-ahead-log objects against the metadata database %s: %d referenced, %d collectable,"
                    + " %d in flight%n", database.get(), report.referenced(), report.collectable(), report.inFlight());
            return report.problems();
        }
    }

    private void print(Inventory inventory) {
        Map<String, Long> bytes = BucketInspector.bytesByTopic(inventory);
        out.printf("%d topic(s), %d object(s)%n", inventory.topics().size(), inventory.objects().size());
        for (TopicView view : inventory.topics()) {
            out.printf("topic %s  id %s  %d partition(s)  %d bytes in the bucket  configs %s%n", view.topic().name(),
                    view.topic().topicId(), view.topic().partitions(), bytes.get(view.topic().name()),
                    view.topic().configs());
            for (Map.Entry<Integer, PartitionManifest> entry : view.partitions().entrySet()) {
                PartitionManifest manifest = entry.getValue();
                List<ManifestSegment> list = manifest.segments();
                long size = list.stream().mapToLong(ManifestSegment::sizeBytes).sum();
                out.printf("  %s-%d  log start %d  %d segment(s)%s  %d bytes%n", view.topic().name(), entry.getKey(),
                        manifest.logStartOffset(), list.size(), list.isEmpty() ? ""
                                : "  offsets " + list.get(0).baseOffset() + ".." + list.get(list.size() - 1).lastOffset(),
                        size);
                if (segments) {
                    for (ManifestSegment s : list) {
                        out.printf("    %s  offsets %d..%d  %d bytes  max timestamp %s  crc32c %s  uploaded %s%n",
                                s.object(), s.baseOffset(), s.lastOffset(), s.sizeBytes(),
                                s.maxTimestamp() < 0 ? "-" : Instant.ofEpochMilli(s.maxTimestamp()), s.crc32c(),
                                s.uploadTime());
                    }
                }
            }
        }
        printGroups(inventory.groups());
    }

    private void printGroups(List<GroupManifest> groups) {
        out.printf("%d group(s) with committed offsets%n", groups.size());
        for (GroupManifest group : groups) {
            List<PartitionOffset> committed = group.offsets();
            out.printf("group %s  %d partition(s)  topics %s  last commit %s%n", group.groupId(), committed.size(),
                    committed.stream().map(PartitionOffset::topic).distinct().toList(),
                    committed.stream().map(o -> Instant.parse(o.commitTime())).max(Instant::compareTo)
                            .map(Instant::toString).orElse("-"));
            if (offsets) {
                for (PartitionOffset o : committed) {
                    out.printf("  %s-%d  offset %d  leader epoch %d  committed %s%n", o.topic(), o.partition(),
                            o.offset(), o.leaderEpoch(), o.commitTime());
                }
            }
        }
    }
}
