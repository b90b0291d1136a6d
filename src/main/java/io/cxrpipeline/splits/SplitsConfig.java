package io.cxrpipeline.splits;

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
}
