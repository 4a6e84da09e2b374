package io.strata.broker.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Files of this repository outside the module (the docker deployment, the CI script, the poms). */
final class RepositoryFiles {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    private RepositoryFiles() {}

    /** The repository root: the nearest directory above the working directory that holds {@code docker/}. */
    static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docker/docker-compose.yml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no docker/docker-compose.yml above " + Path.of("").toAbsolutePath());
    }

    static String read(String relative) {
        try {
            return Files.readString(root().resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode yaml(String relative) {
        try {
            return YAML.readTree(read(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(String relative) {
        try {
            return JSON.readTree(read(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
