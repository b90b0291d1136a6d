package io.cxrpipeline.training;

import java.util.Optional;
import java.util.function.Consumer;

/** The files a training job writes under {@code training-runs/<runId>/} (metrics.json, error.json). */
public interface RunArtifacts {

    /**
     * Reads a small text object.
     *
     * @param uri {@code s3://bucket/key}
     * @return empty when there is no such object
     * @throws IllegalStateException when the store cannot be read (worth retrying)
     */
    Optional<String> read(String uri);

    /**
     * Streams a text object line by line, never holding it whole: a split's train manifest of a million images is
     * hundreds of MB. The default reads the object with {@link #read}; stores override it to stream.
     *
     * @param uri  {@code s3://bucket/key}
     * @param line receives each line, without its terminator
     * @return false when there is no such object
     * @throws IllegalStateException when the store cannot be read (worth retrying)
     */
    default boolean lines(String uri, Consumer<String> line) {
        Optional<String> text = read(uri);
        text.ifPresent(t -> t.lines().forEach(line));
        return text.isPresent();
    }
}
