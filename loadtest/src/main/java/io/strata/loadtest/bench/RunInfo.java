package io.strata.loadtest.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** What results.json says about the run itself: the command, when, on what machine, with which versions. */
record RunInfo(String command, Instant started, Instant finished, Map<String, Object> machine,
               Map<String, String> versions, Map<String, Object> workload) {

    /** Cores, memory, CPU model, OS, Java version and load average of this machine, from /proc where there. */
    static Map<String, Object> probeMachine() {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("memoryMiB", memInfoKib("MemTotal").map(kib -> kib / 1024).orElse(null));
        machine.put("cpu", cpuModel());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
            + System.getProperty("os.arch"));
        machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        machine.put("loadAverage", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        return machine;
    }

    private static Optional<Long> memInfoKib(String field) {
        return readLines(Path.of("/proc/meminfo")).lines().filter(line -> line.startsWith(field + ":"))
            .map(line -> Long.parseLong(line.replaceAll("\\D", ""))).findFirst();
    }

    private static String cpuModel() {
        return readLines(Path.of("/proc/cpuinfo")).lines().filter(line -> line.startsWith("model name"))
            .map(line -> line.substring(line.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
    }

    private static String readLines(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
