package io.strata.loadtest.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code java -jar loadtest/target/strata-loadtest.jar bench ...}; see {@link BenchCommand}. {@code bench} is the
 * only command, so it may be left out: arguments that start with an option other than --help and --version
 * are bench's.
 */
@Command(name = "strata-loadtest", mixinStandardHelpOptions = true, subcommands = BenchCommand.class,
    description = "Benchmarks Kafka-compatible brokers with the stock Java client; run 'bench --help'.")
public final class LoadtestMain implements Runnable {

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    static int execute(String... args) {
        boolean benchImplied = args.length > 0 && args[0].startsWith("-") && !List.of("-h", "--help", "-V", "--version")
            .contains(args[0]);
        String[] full = benchImplied ? Stream.concat(Stream.of("bench"), Arrays.stream(args)).toArray(String[]::new) : args;
        return new CommandLine(new LoadtestMain()).execute(full);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
