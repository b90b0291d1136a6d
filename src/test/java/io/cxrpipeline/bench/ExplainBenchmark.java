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
 * output, and any exported by the training program given as arguments (a VGG16 export, say). With
 * {@code --pair WITH PLAIN} (the same weights exported with and without the Grad-CAM output,
 * {@code make_test_models.py gradcam-pair}), it measures instead what a plain prediction pays for a model that can
 * explain: plain predictions by the two files, alternating.
 *
 * <pre>
 * ./mvnw -q -B test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.cxrpipeline.bench.ExplainBenchmark [-Dexec.args="path/to/model.onnx ..."]
 * ./mvnw -q -B test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.cxrpipeline.bench.ExplainBenchmark \
 *   -Dexec.args="--pair target/models/vgg16-gradcam.onnx target/models/vgg16-plain.onnx"
 * </pre>
 */
public final class ExplainBenchmark {

    private static final BucketObjects NONE = new BucketObjects() {
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

    private ExplainBenchmark() {
    }

    private static ModelProvider provider(String model) throws Exception {
        return new ModelProvider(null, NONE, new ModelProvider.Settings(false, Optional.of(model),
                Duration.ofMinutes(5), Files.createTempDirectory("cxr-bench"), new OnnxModel.Options(2,
                        Preset.TORCHVISION_VGG16, List.of("NORMAL", "PNEUMONIA"), 0.5)), System::nanoTime);
    }

    private static PredictionService service(ModelProvider provider) {
        return new PredictionService(provider, NONE, new ImagePreprocessor(3),
                new PredictionService.Limits("bucket", 40_000_000L, 1 << 26, 16));
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.getInteger("bench.rounds", 30);
        byte[] image = Files.readAllBytes(Path.of("src/test/resources/models/xray-gray.jpg"));
        ImageInput in = new ImageInput.Inline("image", image);
        if (args.length == 3 && args[0].equals("--pair")) {
            try (ModelProvider with = provider(args[1]); ModelProvider plain = provider(args[2])) {
                PredictionService a = service(with);
                PredictionService b = service(plain);
                for (int i = 0; i < 3; i++) { // warm-up
                    a.predict(List.of(in));
                    b.predict(List.of(in));
                }
                double[] medians = alternate(rounds, () -> a.predict(List.of(in)), () -> b.predict(List.of(in)));
                double w = medians[0];
                double p = medians[1];
                System.out.printf("plain prediction by %s %.2f ms, by %s %.2f ms (median of %d alternating rounds): "
                        + "%.3fx%n", args[1], w, args[2], p, rounds, w / p);
            }
            return;
        }
        List<String> models = args.length > 0 ? Arrays.asList(args)
                : List.of("src/test/resources/models/tiny-gradcam.onnx");
        for (String model : models) {
            try (ModelProvider provider = provider(model)) {
                PredictionService service = service(provider);
                for (int i = 0; i < 3; i++) { // warm-up
                    service.predict(List.of(in));
                    service.explain(in);
                }
                double[] medians = alternate(rounds, () -> service.predict(List.of(in)), () -> service.explain(in));
                double p = medians[0];
                double e = medians[1];
                System.out.printf("%s: plain prediction %.2f ms, explain %.2f ms (median of %d alternating rounds): "
                        + "%.2fx (target <= 1.3x)%n", model, p, e, rounds, e / p);
            }
        }
    }

    /** Runs a then b, {@code rounds} times; the median milliseconds of each. */
    private static double[] alternate(int rounds, java.util.concurrent.Callable<?> a, java.util.concurrent.Callable<?> b)
            throws Exception {
        long[] ta = new long[rounds];
        long[] tb = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            long t = System.nanoTime();
            a.call();
            ta[i] = System.nanoTime() - t;
            t = System.nanoTime();
            b.call();
            tb[i] = System.nanoTime() - t;
        }
        return new double[] {median(ta), median(tb)};
    }

    private static double median(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s[s.length / 2] / 1e6;
    }
}
