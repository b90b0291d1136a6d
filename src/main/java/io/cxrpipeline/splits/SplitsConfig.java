package io.cxrpipeline.splits;

import java.net.URI;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Split manifests: defaults of the split request and limits of the writer. */
@ConfigMapping(prefix = "cxr.splits")
public interface SplitsConfig {

    /** The seed of a request that gives none. Env: {@code CXR_SPLITS_DEFAULT_SEED}. */
    @WithDefault("42")
    long defaultSeed();

    /**
     * Part size of the multipart uploads of manifests, in MiB (S3's minimum is 5). Bounds the memory used per
     * manifest being written, whatever its size. Env: {@code CXR_SPLITS_PART_SIZE_MIB}.
     */
    @WithDefault("8")
    int partSizeMib();

    /**
     * The largest explicit {@code target} count per class a request may ask for; larger ones are refused with
     * 400, so that one request cannot make a manifest of billions of rows. Env: {@code CXR_SPLITS_MAX_TARGET}.
     */
    @WithDefault("10000000")
    long maxTarget();

    /**
     * From this many indexed images on, {@code POST /datasets/{dataset}/splits} answers 202 and makes the split
     * in an asynchronous invocation (about 300k images fit API Gateway's 30 s). Env:
     * {@code CXR_SPLITS_ASYNC_THRESHOLD}.
     */
    @WithDefault("200000")
    long asyncThreshold();

    /**
     * The function that makes asynchronous splits; unset: this function itself ({@code AWS_LAMBDA_FUNCTION_NAME}).
     * Env: {@code CXR_SPLITS_JOB_FUNCTION}.
     */
    Optional<String> jobFunction();

    /**
     * An endpoint for the Lambda API instead of the regional one (the local stack's). Unset in AWS. Env:
     * {@code CXR_SPLITS_LAMBDA_ENDPOINT}.
     */
    Optional<URI> lambdaEndpoint();
}
