package io.cxrpipeline.deploy;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

import io.cxrpipeline.inference.ModelProvider;
import io.cxrpipeline.inference.OnnxModel;
import io.cxrpipeline.inference.Preset;
import io.cxrpipeline.inference.aws.S3BucketObjects;
import io.cxrpipeline.local.EmbeddedS3;
import io.cxrpipeline.local.LocalClients;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What reading the model into memory (SnapStart: at most 512 MB of /tmp) costs against the download to /tmp it
 * replaces: each mode loads the same model from S3Proxy through {@link ModelProvider} in its own JVM (heap capped as
 * on a 3,008 MB Lambda), and prints load time, peak RSS (VmHWM) and RSS after loading.
 *
 * <pre>
 * /usr/bin/python3 src/test/python/make_test_models.py vgg16 --out target/models     # vgg16-fp32.onnx, 537 MB
 * ./mvnw -q -B test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.cxrpipeline.deploy.PredictModelLoadBenchmark -Dexec.args=target/models/vgg16-fp32.onnx
 * </pre>
 */
public final class PredictModelLoadBenchmark {

    static final String BUCKET = "bench";
    static final String KEY = "models/bench/model.onnx";
    static final List<String> JVM = List.of("-Xmx2560m", "-XX:+UseSerialGC");

    private PredictModelLoadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("child")) {
            child(args[1], args[2]);
            return;
        }
        Path model = Path.of(args.length > 0 ? args[0] : "target/models/vgg16-fp32.onnx");
        try (EmbeddedS3 s3 = EmbeddedS3.start(0, null, UnaryOperator.identity());
                S3Client client = LocalClients.s3(s3.endpoint())) {
            client.createBucket(b -> b.bucket(BUCKET));
            client.putObject(b -> b.bucket(BUCKET).key(KEY), RequestBody.fromFile(model));
            System.out.printf("model %s, %d MB; child JVMs %s%n", model, Files.size(model) >> 20, JVM);
            String disk = run("disk", s3.endpoint().toString());
            String memory = run("memory", s3.endpoint().toString());
            System.out.println("baseline (download to /tmp, 2 GB ephemeral storage): " + disk);
            System.out.println("in memory (SnapStart, 512 MB ephemeral storage):      " + memory);
        }
    }

    private static String run(String mode, String endpoint) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        command.addAll(JVM);
        command.addAll(List.of("-cp", classpath(), PredictModelLoadBenchmark.class.getName(), "child", mode, endpoint));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String result = null;
        List<String> output = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null;) {
                output.add(line);
                if (line.startsWith("RESULT ")) {
                    result = line.substring(7);
                }
            }
        }
        if (p.waitFor() != 0 || result == null) {
            throw new IllegalStateException(mode + " run failed (exit " + p.exitValue() + "):\n"
                    + String.join("\n", output.subList(Math.max(0, output.size() - 30), output.size())));
        }
        return result;
    }

    private static String classpath() {
        if (Thread.currentThread().getContextClassLoader() instanceof URLClassLoader loader) {
            List<String> entries = new ArrayList<>();
            for (URL url : loader.getURLs()) {
                entries.add(url.getPath());
            }
            return String.join(File.pathSeparator, entries);
        }
        return System.getProperty("java.class.path");
    }

    private static void child(String mode, String endpoint) throws Exception {
        Path cache = mode.equals("disk") ? Files.createTempDirectory("model-cache") : null;
        OnnxModel.Options options = new OnnxModel.Options(Runtime.getRuntime().availableProcessors(),
                Preset.TORCHVISION_VGG16, List.of("NORMAL", "PNEUMONIA"), 0.5);
        try (S3Client client = LocalClients.s3(java.net.URI.create(endpoint));
                ModelProvider provider = new ModelProvider(null, new S3BucketObjects(client), new ModelProvider.Settings(
                        false, Optional.of("s3://" + BUCKET + "/" + KEY), Duration.ofHours(1), cache, options),
                        System::nanoTime)) {
            long start = System.nanoTime();
            OnnxModel model = provider.acquire();
            long millis = (System.nanoTime() - start) / 1_000_000;
            long inference = System.nanoTime();
            model.run(OnnxModel.allocate(model.preprocessing().tensorSize()), 1); // the weights are still there
            inference = (System.nanoTime() - inference) / 1_000_000;
            model.release();
            System.gc();
            System.out.printf("RESULT load %d ms, then one inference %d ms; peak RSS %d MB, RSS after load %d MB%n",
                    millis, inference, status("VmHWM"), status("VmRSS"));
        } finally {
            if (cache != null) {
                try (var files = Files.walk(cache)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
    }

    /** A /proc/self/status figure in MB. */
    private static long status(String key) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(key + ":")) {
                return Long.parseLong(line.replaceAll("\\D", "")) >> 10;
            }
        }
        return -1;
    }
}
