package io.strata.broker;

import io.strata.broker.config.BrokerConfig;
import io.strata.broker.config.ConfigException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar strata-broker.jar [serve] [--config FILE]}: runs a broker until SIGTERM/SIGINT,
 * then shuts it down cleanly. With no arguments it serves with defaults (127.0.0.1:9092, ./data).
 * {@code java -jar strata-broker.jar inspect [list|verify|wal [KEY]]} reads the bucket ({@link InspectCommand});
 * {@code java -jar strata-broker.jar metadata restore} fills an empty metadata database from it
 * ({@link MetadataRestoreCommand}).
 */
@Command(name = "strata", mixinStandardHelpOptions = true, version = "Strata 0.1.0",
        description = "A Kafka-compatible broker that tiers to object storage.",
        subcommands = {StrataMain.Serve.class, InspectCommand.class, MetadataRestoreCommand.Parent.class})
public final class StrataMain implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, description = "Broker properties file (environment STRATA_* variables win).")
    Path configFile;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line; a start-up failure the user can fix ({@link StartupFailure}, an invalid setting) ends with
     * its one line on stderr and exit code 1, without a stack trace.
     */
    static CommandLine commandLine() {
        return new CommandLine(new StrataMain()).setExecutionExceptionHandler((e, commandLine, parsed) -> {
            if (!(e instanceof StartupFailure) && !(e instanceof ConfigException)) {
                throw e;
            }
            commandLine.getErr().println("Strata could not start: " + e.getMessage());
            commandLine.getErr().flush();
            return 1;
        });
    }

    @Override
    public Integer call() throws Exception {
        return serve(configFile);
    }

    static int serve(Path configFile) throws InterruptedException {
        BrokerConfig config = BrokerConfig.load(Optional.ofNullable(configFile), System.getenv());
        StrataBroker broker = StrataBroker.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
        return 0;
    }

    /** Runs a broker (the default command). */
    @Command(name = "serve", mixinStandardHelpOptions = true, description = "Run a broker (the default).")
    static final class Serve implements Callable<Integer> {

        @Option(names = {"-c", "--config"}, description = "Broker properties file (environment STRATA_* variables win).")
        Path configFile;

        @Override
        public Integer call() throws Exception {
            return serve(configFile);
        }
    }
}
