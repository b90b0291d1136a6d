package io.cxrpipeline.catalog;

import java.util.List;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The image index: which classes exist and how the class partitions are sharded. */
@ConfigMapping(prefix = "cxr.catalog")
public interface CatalogConfig {

    /**
     * The class names, matched case-insensitively against the key's class folder and
     * {@code x-amz-meta-class}; stored in this spelling. Order defines the class index of the manifests.
     */
    @WithDefault("NORMAL,PNEUMONIA")
    List<String> classes();

    /**
     * GSI write shards per dataset and class. Writes spread over this many partitions; counts and
     * splits query them in parallel. Fixed for the life of a table: changing it hides existing items.
     */
    @WithDefault("16")
    int shards();
}
