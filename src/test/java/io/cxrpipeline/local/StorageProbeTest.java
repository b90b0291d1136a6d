package io.cxrpipeline.local;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.cxrpipeline.testing.Emulators;

/** The local stack's start gate: no function starts before S3 and DynamoDB answer. */
class StorageProbeTest {

    @Test
    void waitsForAnS3ThatComesUpLate() throws Exception {
        int port = FreePorts.find();
        URI s3 = URI.create("http://127.0.0.1:" + port);
        CompletableFuture<EmbeddedS3> late = CompletableFuture.supplyAsync(() -> {
            try {
                Thread.sleep(1_500);
                return EmbeddedS3.start(port, null, b -> b);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long start = System.nanoTime();
        try {
            StorageProbe.awaitAnswering(s3, Emulators.get().dynamoEndpoint(), Duration.ofSeconds(60));
            assertTrue(System.nanoTime() - start >= 1_000_000_000L, "returned before S3 was started");
        } finally {
            late.get().close();
        }
    }

    @Test
    void namesTheStoreThatDoesNotAnswer() {
        URI nowhere = URI.create("http://127.0.0.1:" + FreePorts.find());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> StorageProbe.awaitAnswering(
                Emulators.get().s3Endpoint(), nowhere, Duration.ofSeconds(1)));
        assertTrue(e.getMessage().startsWith("DynamoDB at " + nowhere), e.getMessage());
    }
}
