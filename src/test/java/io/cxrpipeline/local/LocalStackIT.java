package io.cxrpipeline.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The local stack as a user meets it, on the packaged artifact: every function in its own JVM, uploads through
 * the S3 API, the HTTP API, training as a local process, and the promoted model answering /predict.
 */
class LocalStackIT {

    @TempDir
    Path data;

    @Test
    void uploadIndexSplitTrainPromoteAndPredict() throws Exception {
        String python = System.getenv().getOrDefault("CXR_PYTHON", "/usr/bin/python3");
        assertTrue(Demo.trainingAvailable(python), "the training program needs Debian's PyTorch: " + python
                + " -c 'import torch, torchvision, onnx, boto3, sklearn' failed (.ci/run installs them)");
        LocalStack.Settings settings = new LocalStack.Settings(Path.of("").toAbsolutePath(), data, "cxr-it", "cxr-it",
                0, 0, 0, 0, python);
        try (LocalStack stack = LocalStack.start(settings)) {
            Path sample = data.resolve("sample");
            Demo.Result result = new Demo(stack, "cxr-it", System.out).run("chest_xray", 120, sample, true);

            long files;
            try (Stream<Path> walk = Files.walk(sample.resolve("chest_xray"))) {
                files = walk.filter(Files::isRegularFile).count();
            }
            assertEquals(files, result.uploaded());
            JsonNode byStatus = result.distribution().path("byStatus");
            long accounted = 0;
            for (JsonNode n : byStatus) {
                accounted += n.asLong();
            }
            assertEquals(files, accounted, "every upload is indexed, rejected or a duplicate: " + byStatus);
            assertEquals(files, result.distribution().path("images").asLong()
                    + byStatus.path("REJECTED").asLong() + byStatus.path("DUPLICATE").asLong());

            assertEquals(result.split().path("splitId"), result.repeatedSplit().path("splitId"),
                    "the same request returns the same split");
            assertAnAsynchronousSplitIsTheSynchronousOne(stack, result.split());
            JsonNode run = result.run();
            assertEquals("SUCCEEDED", run.path("status").asText(), run.toString());
            assertTrue(run.path("promoted").asBoolean(), "the first qualifying model is promoted: " + run);
            assertEquals(run.path("modelVersion").asText(), result.prediction().path("modelVersion").asText(),
                    "/predict serves the promoted model");
        }
    }

    /**
     * Asked with {@code Prefer: respond-async}, the same split comes from the second api instance: 202 with a
     * Location, polled until it answers what the synchronous request answered.
     */
    private static void assertAnAsynchronousSplitIsTheSynchronousOne(LocalStack stack, JsonNode sync)
            throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(URI.create(stack.apiEndpoint()
                + "/datasets/chest_xray/splits")).header("content-type", "application/json")
                .header("prefer", "respond-async").POST(HttpRequest.BodyPublishers.ofString("{\"seed\":42}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, accepted.statusCode(), accepted.body());
        String location = accepted.headers().firstValue("location").orElseThrow();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        HttpResponse<String> polled;
        do {
            Thread.sleep(250);
            polled = http.send(HttpRequest.newBuilder(URI.create(stack.apiEndpoint() + location)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } while (polled.statusCode() == 202 && System.nanoTime() < deadline);
        assertEquals(200, polled.statusCode(), polled.body());
        assertEquals(sync.path("splitId"), mapper.readTree(polled.body()).path("splitId"),
                "the asynchronous request gives the synchronous request's split");
    }
}
