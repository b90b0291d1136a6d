package io.cxrpipeline.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cxrpipeline.inference.ImageInput;
import io.cxrpipeline.inference.ImagePreprocessor;
import io.cxrpipeline.inference.ModelProvider;
import io.cxrpipeline.inference.OnnxModel;
import io.cxrpipeline.inference.PredictionResult;
import io.cxrpipeline.inference.PredictionService;
import io.cxrpipeline.inference.Preprocessing;
import io.cxrpipeline.inference.Preset;
import io.cxrpipeline.inference.aws.S3BucketObjects;
import io.cxrpipeline.testing.Emulators;
import io.cxrpipeline.local.sample.SyntheticXray;
import io.cxrpipeline.local.sample.SyntheticXray.Finding;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The training job end to end on the CPU: synthetic X-rays and split manifests in the S3 emulator, the
 * program run as AWS Batch would run it (the CXR_* environment), then its outputs checked: a learnt model
 * (ROC AUC on held-out images), the files of the contract, and an ONNX export that the predict function's
 * service serves at PyTorch's probabilities, preprocessing the images only from the model's metadata.
 */
class TrainingJobTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int SIZE = 64;
    private static final String[] CLASSES = {"NORMAL", "PNEUMONIA"};

    private static String dataset;

    @BeforeAll
    static void uploadSyntheticSplit() throws IOException {
        dataset = "synth-" + UUID.randomUUID().toString().substring(0, 8);
        Random rng = new Random(20260301L);
        S3Client s3 = Emulators.get().s3();
        Map<String, Integer> sizes = Map.of("train", 240, "val", 60, "test", 100);
        for (String split : List.of("train", "val", "test")) {
            StringBuilder manifest = new StringBuilder();
            for (int i = 0; i < sizes.get(split); i++) {
                int label = i % 2;
                byte[] png = SyntheticXray.png(SIZE, SIZE, label == 1 ? Finding.BACTERIAL : Finding.NONE, rng.nextLong());
                String key = "images/" + dataset + "/" + split + "/" + CLASSES[label] + "/person" + i + "_" + split
                        + ".png";
                s3.putObject(b -> b.bucket(Emulators.BUCKET).key(key).contentType("image/png"),
                        RequestBody.fromBytes(png));
                String ref = "s3://" + Emulators.BUCKET + "/" + key;
                manifest.append(MAPPER.writeValueAsString(Map.of("source-ref", ref, "class", String.valueOf(label),
                        "class-name", CLASSES[label], "patient", "person" + i, "copy", 0))).append('\n');
            }
            String key = "manifests/" + dataset + "/s1/" + split + ".jsonl";
            s3.putObject(b -> b.bucket(Emulators.BUCKET).key(key), RequestBody.fromString(manifest.toString()));
        }
    }

    /** Runs train.py as the Batch job would; returns its exit status. */
    private static int runJob(String runId, String params, String trainManifest, Path log)
            throws IOException, InterruptedException {
        String manifests = "s3://" + Emulators.BUCKET + "/manifests/" + dataset + "/s1/";
        ProcessBuilder pb = new ProcessBuilder(TrainingProgramTest.PYTHON, "infra/training/train.py", "--arch", "small")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("CXR_RUN_ID", runId);
        env.put("CXR_TRAIN_MANIFEST", trainManifest != null ? trainManifest : manifests + "train.jsonl");
        env.put("CXR_VAL_MANIFEST", manifests + "val.jsonl");
        env.put("CXR_TEST_MANIFEST", manifests + "test.jsonl");
        env.put("CXR_OUTPUT", "s3://" + Emulators.BUCKET + "/training-runs/" + runId + "/");
        env.put("CXR_PARAMS", params);
        env.put("CXR_S3_ENDPOINT", Emulators.get().s3Endpoint().toString());
        env.put("CXR_CACHE_DIR", Path.of("target/cxr-cache").toAbsolutePath().toString());
        env.put("CXR_THREADS", "2");
        env.put("AWS_ACCESS_KEY_ID", "test");
        env.put("AWS_SECRET_ACCESS_KEY", "test");
        env.put("AWS_DEFAULT_REGION", "us-east-1");
        env.remove("AWS_PROFILE");
        env.put("PYTHONDONTWRITEBYTECODE", "1");
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly().waitFor();
            fail("train.py did not finish in 5 minutes:\n" + Files.readString(log));
        }
        System.out.println(Files.readString(log, StandardCharsets.UTF_8));
        return p.exitValue();
    }

    private static Set<String> outputs(String runId) {
        return Emulators.get().s3().listObjectsV2Paginator(b -> b.bucket(Emulators.BUCKET)
                .prefix("training-runs/" + runId + "/")).contents().stream().map(S3Object::key)
                .map(k -> k.substring(k.lastIndexOf('/') + 1)).collect(Collectors.toSet());
    }

    private static byte[] object(String runId, String name) {
        return Emulators.get().s3().getObjectAsBytes(b -> b.bucket(Emulators.BUCKET)
                .key("training-runs/" + runId + "/" + name)).asByteArray();
    }

    @Test
    void theSmallNetLearnsTheSyntheticSignalAndItsOnnxExportMatchesPyTorch(@TempDir Path cache) throws Exception {
        String runId = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
        String params = "{\"arch\":\"small\",\"hyperparameters\":{\"epochs\":8,\"batchSize\":16,"
                + "\"learningRate\":0.001,\"imageSize\":" + SIZE + ",\"patience\":3,\"seed\":7},"
                + "\"augmentation\":{\"rotationDegrees\":10,\"widthShift\":0.05,\"heightShift\":0.05,\"zoom\":0.1,"
                + "\"brightness\":0.1,\"contrast\":0.1,\"horizontalFlip\":false},\"classWeights\":\"auto\"}";
        int exit = runJob(runId, params, null, Path.of("target/training-job-test.log"));
        assertEquals(0, exit, "train.py failed; see target/training-job-test.log");

        assertTrue(outputs(runId).containsAll(Set.of("model.onnx", "metrics.json", "roc.png", "confusion_matrix.png",
                "loss.png", "train.log", "reference.json", "reliability.png", "reference-inputs.f32")),
                outputs(runId).toString());
        JsonNode metrics = MAPPER.readTree(object(runId, "metrics.json"));
        double auc = metrics.at("/test/roc_auc").asDouble();
        assertTrue(auc >= 0.9, "test ROC AUC " + auc);
        assertEquals(100, metrics.at("/test/n").asInt());
        assertEquals(List.of("NORMAL", "PNEUMONIA"), List.of(metrics.at("/classNames/0").asText(),
                metrics.at("/classNames/1").asText()));
        assertTrue(metrics.path("history").size() >= 1);
        assertEquals(false, metrics.at("/params/augmentation/horizontalFlip").asBoolean());
        assertTrue(new String(object(runId, "train.log"), StandardCharsets.UTF_8).contains("epoch 1/8 loss"));

        predictServiceReproducesPyTorch(runId, cache);
        onnxGradCamEqualsAutograd(runId);
    }

    /**
     * The exported graph's Grad-CAM output, run by ONNX Runtime on the reference input tensors, against PyTorch
     * autograd's Grad-CAM of the same model (reference.json), every class, one batch.
     */
    private void onnxGradCamEqualsAutograd(String runId) throws Exception {
        JsonNode reference = MAPPER.readTree(object(runId, "reference.json"));
        JsonNode want = reference.path("gradcam");
        int n = want.size();
        int classes = want.get(0).size();
        int h = want.get(0).get(0).size();
        int w = want.get(0).get(0).get(0).size();
        assertTrue(n >= 4 && classes == 2 && h > 1 && w > 1, "reference maps " + n + "x" + classes + "x" + h + "x" + w);
        java.nio.FloatBuffer inputs = java.nio.ByteBuffer.wrap(object(runId, reference.path("inputsFile").asText()))
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        assertEquals((long) n * 3 * SIZE * SIZE, inputs.remaining());
        ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        try (ai.onnxruntime.OrtSession session = env.createSession(object(runId, "model.onnx"));
                ai.onnxruntime.OnnxTensor x = ai.onnxruntime.OnnxTensor.createTensor(env, inputs,
                        new long[] {n, 3, SIZE, SIZE});
                ai.onnxruntime.OrtSession.Result result = session.run(Map.of("input", x), Set.of("gradcam"))) {
            assertEquals("gradcam", session.getMetadata().getCustomMetadata().get("cxr.explain"));
            float[][][][] cam = (float[][][][]) result.get(0).getValue();
            double peak = 0;
            double maxDiff = 0;
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < classes; c++) {
                    for (int y = 0; y < h; y++) {
                        for (int v = 0; v < w; v++) {
                            double expected = want.get(i).get(c).get(y).get(v).asDouble();
                            peak = Math.max(peak, Math.abs(expected));
                            maxDiff = Math.max(maxDiff, Math.abs(expected - cam[i][c][y][v]));
                        }
                    }
                }
            }
            assertTrue(peak > 0, "all reference maps are zero");
            assertTrue(maxDiff <= 1e-4 * Math.max(1, peak), "ONNX Grad-CAM vs autograd: max |d| " + maxDiff
                    + " (peak " + peak + ")");
            System.out.printf("ONNX Runtime Grad-CAM vs PyTorch autograd on %d images: max |d| = %.2e (peak %.3f)%n",
                    n, maxDiff, peak);
        }
    }

    /**
     * The predict function's own path (S3 fetch, header check, decode, preprocessing from the model's metadata,
     * batched inference, softmax) on the test images PyTorch scored, with the model served from the run's output.
     */
    private void predictServiceReproducesPyTorch(String runId, Path cache) throws Exception {
        JsonNode reference = MAPPER.readTree(object(runId, "reference.json"));
        int n = reference.path("images").size();
        assertTrue(n >= 4, "reference images: " + n);
        List<ImageInput> inputs = new ArrayList<>();
        List<double[]> expected = new ArrayList<>();
        for (JsonNode image : reference.path("images")) {
            inputs.add(new ImageInput.Stored("images[" + inputs.size() + "]", image.path("source-ref").asText()));
            expected.add(new double[] {image.path("probabilities").get(0).asDouble(),
                    image.path("probabilities").get(1).asDouble()});
        }

        S3BucketObjects store = new S3BucketObjects(Emulators.get().s3());
        String modelUri = "s3://" + Emulators.BUCKET + "/training-runs/" + runId + "/model.onnx";
        // Defaults that differ from what training writes: the metadata must be what decides.
        OnnxModel.Options defaults = new OnnxModel.Options(2, Preset.KERAS_VGG16, List.of("A", "B"), 0.9);
        try (ModelProvider models = new ModelProvider(null, store, new ModelProvider.Settings(false,
                Optional.of(modelUri), Duration.ofMinutes(5), cache, defaults), System::nanoTime)) {
            OnnxModel model = models.acquire();
            try {
                Preprocessing p = model.preprocessing();
                assertEquals(SIZE, p.size());
                assertEquals(3, p.channels());
                assertEquals(Preprocessing.Layout.NCHW, p.layout());
                assertEquals(List.of("NORMAL", "PNEUMONIA"), p.classNames());
                assertEquals(Preprocessing.Output.LOGITS, p.output());
                assertEquals(Preprocessing.Resize.STRETCH, p.resize());
                // The operating point and temperature fitted on val travel in the model's metadata.
                JsonNode metrics = MAPPER.readTree(object(runId, "metrics.json"));
                assertEquals(metrics.at("/operatingPoint/threshold").asDouble(), p.threshold(), 0);
                assertEquals(metrics.at("/calibration/temperature").asDouble(), p.temperature(), 0);
                assertEquals(reference.path("temperature").asDouble(), p.temperature(), 0);
            } finally {
                model.release();
            }
            // Full-resolution decode (oversample 0): the images are already SIZE x SIZE, as training read them.
            PredictionService service = new PredictionService(models, store, new ImagePreprocessor(0),
                    new PredictionService.Limits(Emulators.BUCKET, 40_000_000L, 1 << 20, n));
            PredictionResult result = service.predict(inputs);
            assertEquals(n, result.predictions().size());
            double maxDiff = 0;
            for (int k = 0; k < n; k++) {
                Map<String, Double> byClass = result.predictions().get(k).probabilities();
                double[] p = {byClass.get("NORMAL"), byClass.get("PNEUMONIA")};
                for (int c = 0; c < 2; c++) {
                    maxDiff = Math.max(maxDiff, Math.abs(expected.get(k)[c] - p[c]));
                    assertEquals(expected.get(k)[c], p[c], 1e-4, "image " + k + " class " + c + ": "
                            + Arrays.toString(p) + " vs " + Arrays.toString(expected.get(k)));
                }
            }
            for (int k = 0; k < n; k++) {
                String expectedLabel = expected.get(k)[1] >= reference.path("threshold").asDouble() ? "PNEUMONIA"
                        : "NORMAL";
                assertEquals(expectedLabel, result.predictions().get(k).label(), "image " + k);
            }
            System.out.printf("predict service vs PyTorch on %d test images: max |dp| = %.2e%n", n, maxDiff);
        }
    }

    @Test
    void aMissingImageFailsTheJobWithStatus2AndSaysWhich() throws Exception {
        String runId = "e2e-bad-" + UUID.randomUUID().toString().substring(0, 8);
        String missing = "s3://" + Emulators.BUCKET + "/images/" + dataset + "/train/NORMAL/nobody.png";
        String key = "manifests/" + dataset + "/broken/train.jsonl";
        Emulators.get().s3().putObject(b -> b.bucket(Emulators.BUCKET).key(key), RequestBody.fromString(
                "{\"source-ref\":\"" + missing + "\",\"class\":\"0\",\"class-name\":\"NORMAL\"}\n"));
        int exit = runJob(runId, "{\"arch\":\"small\",\"hyperparameters\":{\"imageSize\":64,\"epochs\":1}}",
                "s3://" + Emulators.BUCKET + "/" + key, Path.of("target/training-job-failure-test.log"));

        assertEquals(2, exit);
        assertTrue(outputs(runId).containsAll(Set.of("train.log", "error.json")), outputs(runId).toString());
        String error = MAPPER.readTree(object(runId, "error.json")).path("error").asText();
        assertTrue(error.contains("nobody.png") && error.contains("could not be read"), error);
    }
}
