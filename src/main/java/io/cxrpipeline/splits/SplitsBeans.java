package io.cxrpipeline.splits;

import java.time.Clock;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.cxrpipeline.catalog.CatalogConfig;
import io.cxrpipeline.catalog.ImageCatalog;
import io.cxrpipeline.common.PipelineConfig;
import io.cxrpipeline.splits.aws.DynamoSplitRepository;
import io.cxrpipeline.splits.aws.LambdaSplitJobLauncher;
import io.cxrpipeline.splits.aws.S3ManifestStore;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.s3.S3Client;

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
    ManifestStore manifestStore(S3Client s3, PipelineConfig pipeline, SplitsConfig splits) {
        return new S3ManifestStore(s3, pipeline.bucket(), Math.max(5, splits.partSizeMib()) * 1024 * 1024);
    }

    @Produces
    @Singleton
    SplitRepository splitRepository(DynamoDbClient dynamo, PipelineConfig pipeline) {
        return new DynamoSplitRepository(dynamo, pipeline.table());
    }

    @Produces
    @Singleton
    SplitJobService splitJobService(SplitService service, SplitRepository repository, SplitJobLauncher launcher,
            SplitRequestParser parser, SplitsConfig config) {
        return new SplitJobService(service, repository, launcher, parser, config.asyncThreshold(), Clock.systemUTC());
    }

    @Produces
    @Singleton
    SplitJobLauncher splitJobLauncher(LambdaClient lambda, SplitsConfig config) {
        String function = config.jobFunction().orElseGet(() -> System.getenv("AWS_LAMBDA_FUNCTION_NAME"));
        return new LambdaSplitJobLauncher(lambda, function == null ? "api" : function);
    }

    @Produces
    @Singleton
    SplitRequestParser splitRequestParser(SplitsConfig config) {
        return new SplitRequestParser(config.defaultSeed(), config.maxTarget());
    }
}
