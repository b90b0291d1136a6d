package io.cxrpipeline.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

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
            JsonNode run = result.run();
            assertEquals("SUCCEEDED", run.path("status").asText(), run.toString());
            assertTrue(run.path("promoted").asBoolean(), "the first qualifying model is promoted: " + run);
            assertEquals(run.path("modelVersion").asText(), result.prediction().path("modelVersion").asText(),
                    "/predict serves the promoted model");
        }
    }
}
