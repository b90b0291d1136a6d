package io.cxrpipeline.training.aws;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.batch.BatchClientBuilder;

import io.cxrpipeline.training.TrainingConfig;

/**
 * The AWS Batch client: Batch has no Quarkus extension. URL-connection HTTP client (small, fast cold start),
 * created on first use, so functions that never submit jobs never build it.
 */
@ApplicationScoped
public class BatchClientProducer {

    @Produces
    @ApplicationScoped
    BatchClient batchClient(TrainingConfig config) {
        BatchClientBuilder builder = BatchClient.builder()
                .httpClient(UrlConnectionHttpClient.builder().build())
                // SubmitJob is not idempotent: an SDK retry after a lost response would start a second job.
                // Failures go back to the client, whose retry (same clientToken) looks the job up by name first.
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallTimeout(Duration.ofSeconds(15)));
        config.region().ifPresent(region -> builder.region(Region.of(region)));
        config.batchEndpoint().ifPresent(builder::endpointOverride);
        if (config.batchAccessKeyId().isPresent() && config.batchSecretAccessKey().isPresent()) {
            builder.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                    config.batchAccessKeyId().get(), config.batchSecretAccessKey().get())));
        } else {
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        return builder.build();
    }

    void close(@Disposes BatchClient client) {
        client.close();
    }
}
