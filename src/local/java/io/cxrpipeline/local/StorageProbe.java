package io.cxrpipeline.local;

import java.net.URI;
import java.time.Duration;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/** Waits until S3 and DynamoDB answer requests: the local stack starts no function before they do. */
final class StorageProbe {

    private StorageProbe() {
    }

    /**
     * Polls {@code ListBuckets} and {@code ListTables} every 100 ms (doubling to 1 s) until both answer.
     *
     * @throws IllegalStateException when they do not within {@code timeout}, naming the one that did not
     */
    static void awaitAnswering(URI s3Endpoint, URI dynamoEndpoint, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (S3Client s3 = LocalClients.s3(s3Endpoint); DynamoDbClient dynamo = LocalClients.dynamo(dynamoEndpoint)) {
            await("S3 at " + s3Endpoint, () -> s3.listBuckets(), deadline);
            await("DynamoDB at " + dynamoEndpoint, () -> dynamo.listTables(b -> b.limit(1)), deadline);
        }
    }

    private static void await(String what, Runnable request, long deadline) throws InterruptedException {
        long sleep = 100;
        RuntimeException last;
        do {
            try {
                request.run();
                return;
            } catch (RuntimeException e) {
                last = e;
            }
            Thread.sleep(sleep);
            sleep = Math.min(1_000, sleep * 2);
        } while (System.nanoTime() < deadline);
        throw new IllegalStateException(what + " does not answer: " + last.getMessage(), last);
    }
}
