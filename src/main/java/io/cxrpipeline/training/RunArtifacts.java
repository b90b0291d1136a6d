package io.cxrpipeline.training;

import java.util.Optional;

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
}
