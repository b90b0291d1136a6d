package io.cxrpipeline.distribution;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.cxrpipeline.catalog.CatalogConfig;
import io.cxrpipeline.catalog.ImageCatalog;

/** Wires the plain-Java distribution service to the image catalog and the configured classes. */
@ApplicationScoped
public class DistributionBeans {

    @Produces
    @Singleton
    DistributionService distributionService(ImageCatalog catalog, CatalogConfig catalogConfig) {
        return new DistributionService(catalog, catalogConfig.classes());
    }
}
