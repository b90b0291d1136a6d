package io.cxrpipeline.common;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Where the pipeline keeps its data. Every function reads these; in AWS the SAM template sets them
 * through the environment ({@code CXR_BUCKET}, {@code CXR_TABLE}).
 */
@ConfigMapping(prefix = "cxr")
public interface PipelineConfig {

    /**
     * The bucket that holds {@code images/}, {@code manifests/}, {@code models/} and {@code training-runs/}.
     */
    @WithDefault("cxr-pipeline")
    String bucket();

    /** The DynamoDB table that holds the image index, splits, training runs and the model registry. */
    @WithDefault("cxr-pipeline")
    String table();
}
