package io.cxrpipeline.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The local on-failure destination ({@code failed-events/}): one file per asynchronous event that failed every
 * attempt, named {@code <function>-<n>.json} and holding {@code {"error": …, "event": …}}. Replaying delivers each
 * event again; the functions are idempotent, so an event that had in fact been applied changes nothing.
 */
public final class FailedEvents {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** What a replay did: files found, delivered (moved to {@code replayed/}), failed again (left in place). */
    public record Replay(int found, int delivered, int failedAgain, List<String> errors) {
    }

    private FailedEvents() {
    }

    /**
     * Delivers every kept event to its function, in file-name order.
     *
     * @param functions the function of a name, or null when there is none (its files are left in place)
     */
    public static Replay replay(Path dir, Function<String, LocalFunction> functions) throws IOException,
            InterruptedException {
        List<Path> files = list(dir);
        int delivered = 0;
        List<String> errors = new ArrayList<>();
        Path done = dir.resolve("replayed");
        for (Path file : files) {
            String name = file.getFileName().toString();
            int dash = name.lastIndexOf('-');
            LocalFunction function = dash <= 0 ? null : functions.apply(name.substring(0, dash));
            if (function == null) {
                errors.add(name + ": no function for this file");
                continue;
            }
            JsonNode event = MAPPER.readTree(file.toFile()).get("event");
            if (event == null) {
                errors.add(name + ": no event in the file");
                continue;
            }
            LambdaRuntimeApi.Result result = function.invoke(MAPPER.writeValueAsString(event), 900_000);
            if (result.error()) {
                errors.add(name + ": " + result.payload());
                continue;
            }
            Files.createDirectories(done);
            Files.move(file, done.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            delivered++;
        }
        return new Replay(files.size(), delivered, files.size() - delivered, errors);
    }

    /** The kept events, in file-name order. */
    public static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".json")).sorted()
                    .toList();
        }
    }
}
