package io.cxrpipeline.inference;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.cxrpipeline.common.PipelineConfig;
import io.cxrpipeline.inference.aws.DynamoPromotedModels;
import io.cxrpipeline.inference.aws.S3BucketObjects;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import io.quarkus.runtime.StartupEvent;

/** Wires the plain-Java inference core to its configuration and AWS adapters; loads the model at startup. */
@ApplicationScoped
public class InferenceBeans {

    private static final Logger LOG = Logger.getLogger(InferenceBeans.class);

    @Produces
    @Singleton
    BucketObjects bucketObjects(S3Client s3) {
        return new S3BucketObjects(s3);
    }

    @Produces
    @Singleton
    PromotedModels promotedModels(DynamoDbClient dynamo, PipelineConfig pipeline) {
        return new DynamoPromotedModels(dynamo, pipeline);
    }

    /** Creating the provider does no I/O: the {@code api} function instantiates every route, this one included. */
    @Produces
    @Singleton
    ModelProvider modelProvider(InferenceConfig config, PromotedModels registry, BucketObjects store) {
        int threads = config.threads() > 0 ? config.threads() : Runtime.getRuntime().availableProcessors();
        Path cacheDir = config.modelInMemory() ? null : Path.of(config.cacheDir());
        OnnxModel.Options options = new OnnxModel.Options(threads, Preset.of(config.preset()), config.classNames(),
                config.threshold(), config.splitWeights() ? cacheDir : null);
        return new ModelProvider(registry, store, new ModelProvider.Settings(config.registry(), config.modelUri()
                .filter(s -> !s.isBlank()), Duration.ofSeconds(Math.max(0, config.refreshSeconds())), cacheDir,
                options), System::nanoTime);
    }

    void closeModelProvider(@Disposes ModelProvider provider) {
        provider.close();
    }

    @Produces
    @Singleton
    PredictionService predictionService(ModelProvider models, BucketObjects store, InferenceConfig config,
            PipelineConfig pipeline) {
        return new PredictionService(models, store, new ImagePreprocessor(config.decodeOversample()),
                new PredictionService.Limits(pipeline.bucket(), config.maxPixels(), config.maxObjectBytes(),
                        config.maxBatch(), config.inputPrefixes()));
    }

    /**
     * In the {@code predict} Lambda, load the model during init: Lambda gives init full CPU, and the first request
     * then pays only for its own inference.
     */
    void onStart(@Observes StartupEvent event, InferenceConfig config,
            @ConfigProperty(name = "quarkus.funqy.export") Optional<String> export,
            jakarta.enterprise.inject.Instance<ModelProvider> provider) {
        if (config.loadAtStartup() && export.filter("predict"::equals).isPresent()) {
            try {
                provider.get().warmUp();
            } catch (RuntimeException e) {
                LOG.warnf(e, "the model could not be loaded at startup; requests will retry");
            }
        }
    }
}
