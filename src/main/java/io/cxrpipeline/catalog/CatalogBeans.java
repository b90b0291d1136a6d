package io.cxrpipeline.catalog;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.cxrpipeline.catalog.aws.DynamoImageCatalog;
import io.cxrpipeline.common.PipelineConfig;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Wires the read side of the image index to DynamoDB. */
@ApplicationScoped
public class CatalogBeans {

    @Produces
    @Singleton
    ImageCatalog imageCatalog(DynamoDbClient dynamo, PipelineConfig pipeline, CatalogConfig catalog) {
        return new DynamoImageCatalog(dynamo, pipeline.table(), catalog.shards());
    }
}
