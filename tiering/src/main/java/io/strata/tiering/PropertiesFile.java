package io.strata.tiering;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A small {@code key=value} file ({@link Properties} syntax, UTF-8) replaced atomically: written to
 * {@code <name>.tmp}, fsynced, renamed over the file, and the directory fsynced, so that after a crash
 * the file holds either its old or its new content. Stateless.
 */
final class PropertiesFile {

    private PropertiesFile() {
    }

    /** The file's entries, or empty when it does not exist. */
    static Optional<Map<String, String>> read(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> entries = new TreeMap<>();
        properties.stringPropertyNames().forEach(name -> entries.put(name, properties.getProperty(name)));
        return Optional.of(entries);
    }

    /** Replaces the file with {@code entries} (sorted by key) unless it already holds exactly them. */
    static void write(Path file, Map<String, String> entries, String comment) {
        Map<String, String> sorted = new TreeMap<>(entries);
        if (read(file).filter(sorted::equals).isPresent()) {
            return;
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            StringBuilder text = new StringBuilder("# ").append(comment).append('\n');
            Properties one = new Properties();
            for (Map.Entry<String, String> entry : sorted.entrySet()) {
                one.clear();
                one.setProperty(entry.getKey(), entry.getValue());
                java.io.StringWriter line = new java.io.StringWriter();
                one.store(line, null);
                line.toString().lines().filter(l -> !l.startsWith("#")).forEach(l -> text.append(l).append('\n'));
            }
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
                 OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
                out.write(text.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
                channel.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
