package io.cxrpipeline.local;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cxrpipeline.local.sample.SampleData;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The pipeline end to end on the local stack, the way a user drives it: synthetic X-rays uploaded through the S3
 * API, then the HTTP API for the distribution, a split, a training run and a prediction.
 */
public final class Demo {

    /** What the walk-through produced, for the caller to check or print. */
    public record Result(int uploaded, JsonNode distribution, JsonNode split, JsonNode repeatedSplit, JsonNode run,
            JsonNode prediction) {
    }

    private final LocalStack stack;
    private final String bucket;
    private final PrintStream out;
    private final ObjectMapper mapper = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public Demo(LocalStack stack, String bucket, PrintStream out) {
        this.stack = stack;
        this.bucket = bucket;
        this.out = out;
    }

    /**
     * Runs the walk-through.
     *
     * @param dataset  the dataset name under images/
     * @param count    synthetic images to generate
     * @param work     where the images are written
     * @param train    whether to run training (needs Debian's PyTorch) and predict with the promoted model
     */
    public Result run(String dataset, int count, Path work, boolean train) throws Exception {
        Path images = work.resolve(dataset);
        if (!Files.isDirectory(images)) {
            step("generating %d synthetic chest X-rays in %s", count, images);
            SampleData.main(new String[] {"--out", work.toString(), "--dataset", dataset, "--count",
                Integer.toString(count), "--dicom-fraction", "0.2"});
        }
        step("uploading through the S3 API to s3://%s/images/%s/", bucket, dataset);
        int uploaded = upload(images, "images/" + dataset + "/");
        out.printf("  %d objects uploaded; indexing from their S3 events%n", uploaded);
        waitForIndexing();

        step("GET /datasets/%s/distribution", dataset);
        JsonNode distribution = call("GET", "/datasets/" + dataset + "/distribution", null, 200);
        out.println("  " + distribution.path("byClass") + ", status " + distribution.path("byStatus")
                + ", imbalance ratio " + distribution.path("imbalance").path("imbalanceRatio") + ", views "
                + distribution.path("byView") + ", PHI-flagged " + distribution.path("phi"));

        step("POST /datasets/%s/splits (60/20/20, grouped by patient and content, train over-sampled)", dataset);
        JsonNode split = call("POST", "/datasets/" + dataset + "/splits", "{\"seed\":42}", 201);
        String splitId = split.path("splitId").asText();
        out.println("  split " + splitId + " -> " + split.path("manifestPrefix").asText());
        out.println("  report: " + split.path("reportUri").asText());
        JsonNode repeated = call("POST", "/datasets/" + dataset + "/splits", "{\"seed\":42}", -1);
        out.println("  the same request again returns split " + repeated.path("splitId").asText());

        JsonNode run = null;
        JsonNode prediction = null;
        if (train) {
            step("POST /training-runs (local CPU run of infra/training/train.py standing in for AWS Batch)");
            // A small VGG-style network at 64 px: a CPU run of about a minute. AWS runs take the VGG16 defaults.
            String request = "{\"dataset\":\"" + dataset + "\",\"splitId\":\"" + splitId + "\",\"clientToken\":\"demo-"
                    + splitId + "\",\"hyperparameters\":{\"arch\":\"small\",\"imageSize\":64,\"epochs\":8,\"batchSize\":16}}";
            JsonNode submitted = call("POST", "/training-runs", request, 202);
            String runId = submitted.path("runId").asText();
            out.println("  run " + runId + " " + submitted.path("status").asText());
            run = waitForRun(runId);
            JsonNode m = run.path("metrics");
            out.printf(Locale.ROOT, "  test metrics: accuracy %.3f, sensitivity %.3f, specificity %.3f, ROC AUC %.3f%n",
                    m.path("accuracy").asDouble(), m.path("sensitivity").asDouble(), m.path("specificity").asDouble(),
                    m.path("roc_auc").asDouble());
            out.println("  model " + run.path("modelVersion").asText() + (run.path("promoted").asBoolean()
                    ? " promoted" : " not promoted: " + run.path("promotionReason").asText()));

            // One held-out image of each class, sent as API Gateway receives a binary body.
            for (String label : List.of("NORMAL", "PNEUMONIA")) {
                Path image;
                try (Stream<Path> files = Files.walk(images.resolve("test").resolve(label))) {
                    image = files.filter(p -> p.toString().endsWith(".jpeg")).sorted().findFirst().orElseThrow();
                }
                step("POST /predict with %s", images.relativize(image));
                prediction = callBytes("/predict", Files.readAllBytes(image), "image/jpeg");
                out.println("  " + prediction);
            }
            // A DICOM radiograph, decoded by predict as the training program decodes it.
            Path dicom;
            try (Stream<Path> files = Files.walk(images)) {
                dicom = files.filter(p -> p.toString().endsWith(".dcm")).sorted().findFirst().orElse(null);
            }
            if (dicom != null) {
                step("POST /predict with %s (application/dicom)", images.relativize(dicom));
                out.println("  " + callBytes("/predict", Files.readAllBytes(dicom), "application/dicom"));
            }
        } else {
            out.println("\nTraining skipped: /usr/bin/python3 has no torch (apt-get install python3-torch"
                    + " python3-torchvision python3-onnx python3-boto3 python3-sklearn python3-matplotlib python3-pil).");
        }
        return new Result(uploaded, distribution, split, repeated, run, prediction);
    }

    /** Whether the training program can run here: Debian's PyTorch and friends. */
    public static boolean trainingAvailable(String python) {
        try {
            Process p = new ProcessBuilder(python, "-c", "import torch, torchvision, onnx, boto3, sklearn")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private int upload(Path root, String prefix) throws Exception {
        try (S3Client s3 = LocalClients.s3(URI.create(stack.s3Endpoint()))) {
            return LocalClients.putTree(s3, bucket, root, prefix, 4);
        }
    }

    private void waitForIndexing() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 600_000;
        while (stack.pendingIndexEvents() > 0) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("indexing did not finish in 10 minutes");
            }
            Thread.sleep(250);
        }
    }

    private JsonNode waitForRun(String runId) throws Exception {
        long deadline = System.currentTimeMillis() + 1_800_000;
        String last = "";
        while (true) {
            JsonNode run = call("GET", "/training-runs/" + runId, null, 200);
            String status = run.path("status").asText();
            if (!status.equals(last)) {
                out.printf(Locale.ROOT, "  %s %s%n", status, run.path("statusReason").asText(""));
                last = status;
            }
            // The model is registered by the SUCCEEDED event; wait for it too.
            if (status.equals("FAILED") || (status.equals("SUCCEEDED") && !run.path("modelVersion").isMissingNode()
                    && !run.path("modelVersion").isNull())) {
                if (status.equals("FAILED")) {
                    throw new IllegalStateException("training run " + runId + " failed: " + run.path("statusReason")
                            + "; see .local-stack/logs/training-*.log");
                }
                return run;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("training run " + runId + " did not finish in 30 minutes");
            }
            Thread.sleep(1_000);
        }
    }

    private JsonNode call(String method, String path, String body, int expected) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.apiEndpoint() + path))
                .timeout(Duration.ofMinutes(5));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("content-type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 400 || (expected > 0 && response.statusCode() != expected)) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return mapper.readTree(response.body());
    }

    private JsonNode callBytes(String path, byte[] image, String contentType) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(stack.apiEndpoint() + path))
                .header("content-type", contentType).timeout(Duration.ofMinutes(5))
                .POST(HttpRequest.BodyPublishers.ofByteArray(image)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("POST " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return mapper.readTree(response.body());
    }

    private void step(String format, Object... args) {
        out.printf(Locale.ROOT, "%n== " + format + "%n", args);
    }
}
