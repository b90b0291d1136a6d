package io.cxrpipeline.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import io.cxrpipeline.inference.ImageInput;
import io.cxrpipeline.inference.ImagePreprocessor;
import io.cxrpipeline.inference.ModelProvider;
import io.cxrpipeline.inference.OnnxModel;
import io.cxrpipeline.inference.PredictionService;
import io.cxrpipeline.inference.Preset;
import io.cxrpipeline.inference.S3Location;
import io.cxrpipeline.inference.BucketObjects;

/**
 * The cost of {@code explain} (prediction + Grad-CAM map + PNG overlay) against a plain prediction of the same
 * image by the same model, in one JVM, alternating rounds. Models: the committed small net with its Grad-CAM
 * output, and any exported by the training program given as arguments (a VGG16 export, say).
 *
 * <pre>
 * ./mvnw -q -B test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.cxrpipeline.bench.ExplainBenchmark [-Dexec.args="path/to/model.onnx ..."]
 * </pre>
 */
public final class ExplainBenchmark {

    private ExplainBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.getInteger("bench.rounds", 30);
        List<String> models = args.length > 0 ? Arrays.asList(args)
                : List.of("src/test/resources/models/tiny-gradcam.onnx");
        byte[] image = Files.readAllBytes(Path.of("src/test/resources/models/xray-gray.jpg"));
        BucketObjects none = new BucketObjects() {
            @Override
            public ObjectInfo stat(S3Location location) {
                throw new UnsupportedOperationException("models and images are local files here");
            }

            @Override
            public byte[] read(S3Location location, long maxBytes) {
                throw new UnsupportedOperationException("models and images are local files here");
            }

            @Override
            public void download(S3Location location, Path target) {
                throw new UnsupportedOperationException("models and images are local files here");
            }
        };
        for (String model : models) {
            Path cache = Files.createTempDirectory("cxr-bench");
            try (ModelProvider provider = new ModelProvider(null, none, new ModelProvider.Settings(false,
                    Optional.of(model), Duration.ofMinutes(5), cache, new OnnxModel.Options(2,
                            Preset.TORCHVISION_VGG16, List.of("NORMAL", "PNEUMONIA"), 0.5)), System::nanoTime)) {
                PredictionService service = new PredictionService(provider, none, new ImagePreprocessor(3),
                        new PredictionService.Limits("bucket", 40_000_000L, 1 << 26, 16));
                ImageInput in = new ImageInput.Inline("image", image);
                for (int i = 0; i < 3; i++) { // warm-up
                    service.predict(List.of(in));
                    service.explain(in);
                }
                long[] plain = new long[rounds];
                long[] explained = new long[rounds];
                for (int i = 0; i < rounds; i++) {
                    long t = System.nanoTime();
                    service.predict(List.of(in));
                    plain[i] = System.nanoTime() - t;
                    t = System.nanoTime();
                    service.explain(in);
                    explained[i] = System.nanoTime() - t;
                }
                double p = median(plain);
                double e = median(explained);
                System.out.printf("%s: plain prediction %.2f ms, explain %.2f ms (median of %d alternating rounds): "
                        + "%.2fx (target <= 1.3x)%n", model, p, e, rounds, e / p);
            }
        }
    }

    private static double median(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s[s.length / 2] / 1e6;
    }
}
