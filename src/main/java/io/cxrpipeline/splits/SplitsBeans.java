package io.cxrpipeline.splits;

import java.time.Clock;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.cxrpipeline.catalog.CatalogConfig;
import io.cxrpipeline.catalog.ImageCatalog;
import io.cxrpipeline.common.PipelineConfig;

/** Wires the plain-Java split service to its adapters and configuration. */
@Singleton
public class SplitsBeans {

    @Produces
    @Singleton
    SplitService splitService(ImageCatalog catalog, ManifestStore store, SplitRepository repository,
            PipelineConfig pipeline, CatalogConfig catalogConfig) {
        return new SplitService(catalog, store, repository, pipeline.bucket(), catalogConfig.classes(),
                Clock.systemUTC());
    }

    @Produces
    @Singleton
    SplitRequestParser splitRequestParser(SplitsConfig config) {
        return new SplitRequestParser(config.defaultSeed(), config.maxTarget());
    }
}
