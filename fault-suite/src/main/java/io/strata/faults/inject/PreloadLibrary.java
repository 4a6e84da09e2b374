package io.strata.faults.inject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Builds an {@code LD_PRELOAD} library with gcc from a C source kept as a resource beside this class. */
final class PreloadLibrary {

    private PreloadLibrary() {}

    /**
     * Compiles the resource {@code source} into {@code buildDir/library}.
     *
     * @return empty once built, or why it could not be (gcc missing, failing or too slow)
     */
    static Optional<String> build(String source, Path buildDir, String library)
            throws IOException, InterruptedException {
        Files.createDirectories(buildDir);
        Path sourceFile = buildDir.resolve(source);
        try (InputStream in = Objects.requireNonNull(PreloadLibrary.class.getResourceAsStream(source), source)) {
            Files.write(sourceFile, in.readAllBytes());
        }
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-O2", "-Wall", "-o",
                    buildDir.resolve(library).toString(), sourceFile.toString(), "-ldl")
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            return Optional.of("gcc is not available: " + e.getMessage());
        }
        String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!gcc.waitFor(60, TimeUnit.SECONDS)) {
            gcc.destroyForcibly();
            return Optional.of("gcc did not finish within 60 s");
        }
        if (gcc.exitValue() != 0) {
            return Optional.of("gcc failed (" + gcc.exitValue() + "): " + output);
        }
        return Optional.empty();
    }
}
