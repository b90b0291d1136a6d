package io.cxrpipeline.ingest;

import java.time.Clock;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.cxrpipeline.catalog.CatalogConfig;
import io.cxrpipeline.common.PipelineConfig;
import io.cxrpipeline.ingest.aws.DynamoImageIndex;
import io.cxrpipeline.ingest.aws.S3SourceObjects;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/** Wires the plain-Java ingest core to its configuration and to the AWS adapters. */
@ApplicationScoped
public class IngestBeans {

    @Produces
    @Singleton
    SourceObjects objectStore(S3Client s3) {
        return new S3SourceObjects(s3);
    }

    @Produces
    @Singleton
    ImageIndex imageIndex(DynamoDbClient dynamo, PipelineConfig pipeline, CatalogConfig catalog) {
        return new DynamoImageIndex(dynamo, pipeline.table(), catalog.shards());
    }

    @Produces
    @Singleton
    KeyRules keyRules(IngestConfig c, CatalogConfig catalog) {
        return new KeyRules(c.prefix(), catalog.classes(), c.splitFolders(), Pattern.compile(c.subtypePattern()),
                Pattern.compile(c.patientPattern()), c.classMetadata(), c.patientMetadata(), c.subtypeMetadata());
    }

    @Produces
    @Singleton
    IndexingService indexingService(KeyRules rules, SourceObjects store, ImageIndex index, IngestConfig c,
            PipelineConfig pipeline) {
        ObjectAnalyzer analyzer = new ObjectAnalyzer(store, c.headBytes(), c.tailBytes(), c.maxHeaderBytes(),
                c.maxPixels());
        return new IndexingService(rules, analyzer, index, store, pipeline.bucket(), Clock.systemUTC(),
                c.tombstoneTtl(), new PatientIds(c.patientIdSalt()));
    }

    @Produces
    @Singleton
    IngestLog ingestLog(ObjectMapper mapper) {
        return new IngestLog(mapper);
    }

    @Produces
    @Singleton
    EventProcessor eventProcessor(IndexingService service, IngestLog log) {
        return new EventProcessor(service, log);
    }

    @Produces
    @Singleton
    ReindexService reindexService(IndexingService service, SourceObjects store, IngestLog log, IngestConfig c,
            PipelineConfig pipeline) {
        return new ReindexService(service, store, pipeline.bucket(), log, c.reindex().maxObjects(),
                c.reindex().timeBudget(), c.reindex().parallelism(), Clock.systemUTC());
    }
}
