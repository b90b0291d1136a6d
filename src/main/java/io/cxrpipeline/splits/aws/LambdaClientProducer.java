package io.cxrpipeline.splits.aws;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;

import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.LambdaClientBuilder;

import io.cxrpipeline.splits.SplitsConfig;

/**
 * The Lambda client that starts split jobs: Lambda has no Quarkus extension. URL-connection HTTP client,
 * region and credentials from the SDK's default chain (the function's role in AWS), created on first use.
 */
@ApplicationScoped
public class LambdaClientProducer {

    @Produces
    @ApplicationScoped
    LambdaClient lambdaClient(SplitsConfig config) {
        LambdaClientBuilder builder = LambdaClient.builder()
                .httpClient(UrlConnectionHttpClient.builder().build())
                .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(10)));
        config.lambdaEndpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    void close(@Disposes LambdaClient client) {
        client.close();
    }
}
