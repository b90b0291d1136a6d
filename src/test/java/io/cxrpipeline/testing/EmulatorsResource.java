package io.cxrpipeline.testing;

import java.util.HashMap;
import java.util.Map;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.cxrpipeline.local.LambdaInvokeApi;
import io.restassured.RestAssured;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Points the Quarkus AWS clients at the shared loopback emulators. */
public class EmulatorsResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        Emulators emulators = Emulators.get();
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.s3.endpoint-override", emulators.s3Endpoint().toString());
        config.put("quarkus.dynamodb.endpoint-override", emulators.dynamoEndpoint().toString());
        config.put("cxr.bucket", Emulators.BUCKET);
        config.put("cxr.table", Emulators.TABLE);
        config.put("cxr.splits.lambda-endpoint", lambda().endpoint());
        config.put("cxr.splits.job-function", "api");
        // The Lambda client takes its region and credentials from the SDK's default chain, as in AWS.
        System.getProperties().putIfAbsent("aws.region", "us-east-1");
        System.getProperties().putIfAbsent("aws.accessKeyId", "test");
        System.getProperties().putIfAbsent("aws.secretAccessKey", "test");
        return config;
    }

    private static LambdaInvokeApi lambda;

    /**
     * The Lambda Invoke API the api function starts its asynchronous split jobs with: each accepted event is a
     * second invocation, posted to the test runtime's event server as Lambda would deliver it.
     */
    private static synchronized LambdaInvokeApi lambda() {
        if (lambda == null) {
            try {
                lambda = new LambdaInvokeApi(0, (function, payload) -> DELIVERY.submit(
                        () -> RestAssured.given().contentType("application/json").body(payload).post()));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return lambda;
    }

    private static final ExecutorService DELIVERY = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lambda-async-delivery");
        t.setDaemon(true);
        return t;
    });

    @Override
    public void stop() {
        // shared across test classes; stopped by a shutdown hook when the JVM exits
    }
}
