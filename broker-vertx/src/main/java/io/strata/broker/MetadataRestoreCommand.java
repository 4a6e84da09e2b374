package io.strata.broker;

import io.strata.broker.config.BrokerConfig;
import io.strata.broker.config.ClusterSettings;
import io.strata.broker.config.TieringSettings;
import io.strata.metadata.MetadataException;
import io.strata.metadata.postgres.PostgresMetadataStore;
import io.strata.metadata.postgres.PostgresSettings;
import io.strata.tiering.restore.MetadataRestore;
import io.strata.tiering.restore.MetadataRestore.LostTail;
import io.strata.tiering.restore.MetadataRestore.PartitionFound;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strata metadata restore [--config FILE]}: rebuilds an empty metadata database ({@code metadata.store}) from
 * the bucket alone (CLUSTER.md invariant 6; {@link MetadataRestore} says what comes back from what), with no broker
 * running. Prints what it restored (topics, partitions with their committed ends and leader epochs, groups and
 * offsets, where producer ids restart) and what is lost by design: the write-ahead-log objects still in the bucket,
 * whose records above the segment ends are not restored. Exit code 0 when restored; 1 when the database already has
 * topics (nothing is written: the user empties it, or points {@code metadata.store} at a new database); 2 on errors
 * (no database or bucket configured, one unreachable, a damaged manifest).
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Fill an empty metadata database (metadata.store) from the bucket.")
final class MetadataRestoreCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, description = "Broker properties file (environment STRATA_* variables win).")
    Path configFile;

    private final PrintStream out;

    MetadataRestoreCommand() {
        this(System.out);
    }

    MetadataRestoreCommand(PrintStream out) {
        this.out = out;
    }

    /** {@code strata metadata}: the parent of {@code restore}. */
    @Command(name = "metadata", mixinStandardHelpOptions = true, description = "Manage the metadata database.",
            subcommands = MetadataRestoreCommand.class)
    static final class Parent implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        /** Without a subcommand: its usage, exit code 2. */
        @Override
        public Integer call() {
            spec.commandLine().usage(spec.commandLine().getOut());
            return 2;
        }
    }

    @Override
    public Integer call() {
        BrokerConfig config = BrokerConfig.load(Optional.ofNullable(configFile), System.getenv());
        Optional<PostgresSettings> database = ClusterSettings.from(config).store();
        if (database.isEmpty()) {
            out.println("metadata.store is not set: there is no metadata database to restore (single-broker mode"
                    + " restores its own metadata from the bucket at start)");
            return 2;
        }
        TieringSettings settings = TieringSettings.from(config);
        if (!settings.enabled()) {
            out.println("tiering is disabled (" + TieringSettings.ENABLE + "=false): there is no bucket to restore from");
            return 2;
        }
        try (PostgresMetadataStore store = PostgresMetadataStore.open(database.get(), "strata-metadata-restore");
             Bucket bucket = Bucket.openForInspection(settings, config.logDir())) {
            if (!store.topics().isEmpty()) {
                out.println(refusal(database.get(), store.topics().size()));
                return 1;
            }
            out.println("Reading " + bucket.describe());
            MetadataRestore restore = new MetadataRestore(bucket.store().orElseThrow());
            MetadataRestore.Result result = restore.read();
            if (!restore.restore(store, result)) {
                out.println(refusal(database.get(), store.topics().size()));
                return 1;
            }
            print(database.get(), result);
            return 0;
        } catch (MetadataException | IllegalStateException e) { // unreachable database, a damaged manifest
            out.println("Nothing restored: " + e.getMessage());
            return 2;
        } catch (CompletionException e) { // the bucket did not answer
            out.println("Nothing restored: the bucket could not be read: " + rootMessage(e));
            return 2;
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    private static String refusal(PostgresSettings database, int topics) {
        return "Refusing to restore: the metadata database " + database + " already has " + topics + " topic(s);"
                + " restore goes into an empty database only (drop and re-create it, or point "
                + ClusterSettings.METADATA_STORE + " at a new one)";
    }

    private void print(PostgresSettings database, MetadataRestore.Result result) {
        List<PartitionFound> partitions = result.partitions();
        out.printf("Restored into %s: %d topic(s), %d partition(s)%n", database, result.metadata().topics().size(),
                partitions.size());
        for (PartitionFound p : partitions) {
            out.printf("  %s-%d  committed end %d  log start %d  %d segment(s)  leader epoch %d (highest in the"
                    + " bucket %d)%n", p.topic(), p.partition(), p.committedEnd(), p.logStartOffset(), p.segments(),
                    p.leaderEpoch(), p.highestEpochFound());
        }
        out.printf("Restored %d committed offset(s) of %d group(s); skipped %d of topics no longer in the bucket%n",
                result.metadata().offsets().size(), result.groups(), result.skippedOffsets());
        out.printf("Producer ids restart at %d (highest found in the bucket %d, cluster manifest block end %d, plus"
                + " %d for ids handed out after them)%n", result.metadata().producerIdFloor(),
                result.highestProducerId(), result.clusterBlockEnd(), MetadataRestore.PRODUCER_ID_GAP);
        Map<String, List<LostTail>> lost = new LinkedHashMap<>();
        result.lostTails().forEach(tail -> lost.computeIfAbsent(tail.walObject(), k -> new ArrayList<>())
                .add(tail));
        out.printf("Lost by design: the bucket holds %d write-ahead-log object(s); records in them above the segment"
                + " ends are not restored (%d object(s) hold such records)%n", result.walObjects(), lost.size());
        lost.forEach((object, tails) -> {
            out.println("  " + object);
            tails.forEach(tail -> out.printf("    %s-%d  offsets %d..%d not restored%n", tail.topic(),
                    tail.partition(), tail.from(), tail.to() - 1));
        });
        out.println("Start the brokers: the controller gives every partition a leader.");
    }
}
