package io.cxrpipeline.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

import io.cxrpipeline.catalog.aws.TableDefinition;
import io.cxrpipeline.local.Dynalite;
import io.cxrpipeline.local.EmbeddedS3;
import io.cxrpipeline.local.FreePorts;
import io.cxrpipeline.local.LambdaRuntimeApi;
import io.cxrpipeline.local.LocalClients;
import io.cxrpipeline.local.LocalFunction;
import io.cxrpipeline.local.LocalStack;
import io.cxrpipeline.local.S3Events;
import io.cxrpipeline.local.sample.SyntheticXray;
import io.cxrpipeline.testing.EventFixtures;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The native executable against the JVM build, side by side in one run, for index-objects, api and
 * training-events, each behind the local Lambda Runtime API with S3Proxy and dynalite on loopback: process start
 * to first response (cold; the first event is queued before the process starts, as Lambda's first invoke is),
 * then warm events one after another, resident memory after them, and the artifact sizes. Cold starts alternate
 * between the two builds so that both see the same machine load. The JVM runs as the local stack runs it
 * ({@code java -Xmx<heap> -XX:+UseSerialGC}, runner jar + the Runtime API loop).
 *
 * <pre>
 * ./mvnw -q -B package -DskipTests && infra/native/build.sh -q
 * ./mvnw -q -B test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.cxrpipeline.bench.NativeBenchmark -Dexec.args="5 50"    # cold starts, warm events
 * </pre>
 */
public final class NativeBenchmark {

    private static final String BUCKET = "cxr-bench";
    private static final String DATASET = "chest_xray";

    private NativeBenchmark() {
    }

    private record Mode(String name, Path artifact) {
    }

    private record Figures(List<Double> coldMs, List<Double> warmMs, List<Long> rssKb) {
        Figures() {
            this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }
    }

    public static void main(String[] args) throws Exception {
        int colds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int warms = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        Path project = Path.of("").toAbsolutePath();
        Path jar;
        try (var files = Files.list(project.resolve("target"))) {
            jar = files.filter(p -> p.getFileName().toString().endsWith("-runner.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("build the JVM artifact: ./mvnw package -DskipTests"));
        }
        Path executable = LocalStack.nativeExecutable(project, System.getenv().getOrDefault("CXR_NATIVE", "target/native"));
        List<Mode> modes = List.of(new Mode("jvm", jar), new Mode("native", executable));
        Path nativeZip = executable.resolveSibling("function.zip");

        Path work = Files.createTempDirectory("cxr-bench-native");
        int s3Port = FreePorts.find();
        try (Dynalite dynalite = Dynalite.start(project, 0, work.resolve("dynamodb"), work.resolve("dynalite.log"));
                EmbeddedS3 s3 = EmbeddedS3.start(s3Port, work.resolve("s3"), store -> store);
                S3Client s3Client = LocalClients.s3(s3.endpoint());
                DynamoDbClient dynamo = LocalClients.dynamo(dynalite.endpoint())) {
            s3Client.createBucket(b -> b.bucket(BUCKET));
            dynamo.createTable(TableDefinition.createTableRequest(BUCKET));
            Map<String, String> env = new LinkedHashMap<>();
            env.put("QUARKUS_S3_ENDPOINT_OVERRIDE", s3.endpoint().toString());
            env.put("QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE", dynalite.endpoint().toString());
            env.put("CXR_BUCKET", BUCKET);
            env.put("CXR_TABLE", BUCKET);
            env.put("CXR_TRAINING_BATCH_ENDPOINT", "http://127.0.0.1:" + FreePorts.find());
            env.put("AWS_REGION", "us-east-1");
            env.put("AWS_ACCESS_KEY_ID", EmbeddedS3.ACCESS_KEY);
            env.put("AWS_SECRET_ACCESS_KEY", EmbeddedS3.SECRET_KEY);

            // Every index event names its own image, so that each one is indexed (not skipped as already applied).
            int images = modes.size() * colds * (warms + 1);
            List<String> s3Events = new ArrayList<>();
            for (int i = 0; i < images; i++) {
                byte[] png = SyntheticXray.png(320, 256, i % 2 == 0 ? SyntheticXray.Finding.NONE
                        : SyntheticXray.Finding.BACTERIAL, i);
                String key = "images/" + DATASET + "/train/" + (i % 2 == 0 ? "NORMAL/IM-" + i + "-0001.png"
                        : "PNEUMONIA/person" + i + "_bacteria_" + i + ".png");
                String eTag = s3Client.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(png)).eTag();
                s3Events.add(S3Events.notification(S3Events.putRecord(BUCKET, key, png.length, eTag,
                        S3Events.nextSequencer())));
            }
            int[] nextImage = {0};
            Map<String, IntFunction<String>> events = new LinkedHashMap<>();
            events.put("index-objects", i -> s3Events.get(nextImage[0]++));
            events.put("api", i -> EventFixtures.read("api-distribution.json"));
            events.put("training-events", i -> EventFixtures.read("batch-job-running.json"));

            System.out.printf(Locale.ROOT, "%d cold starts and %d warm events per function and build%n", colds, warms);
            Map<String, Figures> figures = new LinkedHashMap<>();
            for (String function : events.keySet()) {
                for (int round = 0; round < colds; round++) {
                    for (Mode mode : modes) {
                        Figures f = figures.computeIfAbsent(function + " " + mode.name(), k -> new Figures());
                        run(function, mode, env, work.resolve("logs"), events.get(function), warms, f);
                    }
                }
            }

            System.out.printf(Locale.ROOT, "%n%-16s %-7s %12s %12s %12s %12s %10s%n", "function", "build",
                    "cold p50 ms", "cold min", "cold max", "warm ms/evt", "RSS MB");
            for (String function : events.keySet()) {
                double[] coldP50 = new double[2];
                double[] warm = new double[2];
                for (int m = 0; m < modes.size(); m++) {
                    Figures f = figures.get(function + " " + modes.get(m).name());
                    double[] c = f.coldMs().stream().mapToDouble(Double::doubleValue).sorted().toArray();
                    coldP50[m] = median(c);
                    warm[m] = median(f.warmMs().stream().mapToDouble(Double::doubleValue).sorted().toArray());
                    System.out.printf(Locale.ROOT, "%-16s %-7s %12.0f %12.0f %12.0f %12.2f %10.0f%n", function,
                            modes.get(m).name(), coldP50[m], c[0], c[c.length - 1], warm[m],
                            median(f.rssKb().stream().mapToDouble(Long::doubleValue).sorted().toArray()) / 1024);
                }
                System.out.printf(Locale.ROOT, "%-16s native/jvm: cold %.3fx, warm %.3fx%n", function,
                        coldP50[1] / coldP50[0], warm[1] / warm[0]);
            }
            System.out.printf(Locale.ROOT, "%nartifacts: jvm target/jvm/function.zip %.1f MB (runner jar + lib/, ONNX "
                    + "Runtime included for predict); native %s %.1f MB, executable %.1f MB (dynamically linked "
                    + "against Temurin 25's libjava/libnio/libnet/libzip)%n",
                    mb(project.resolve("target/jvm/function.zip")), project.relativize(nativeZip), mb(nativeZip),
                    mb(executable));
        }
    }

    /** One cold start of the function, then {@code warms} events in a row; records the figures. */
    private static void run(String function, Mode mode, Map<String, String> env, Path logs,
            IntFunction<String> events, int warms, Figures figures) throws Exception {
        int heap = LocalStack.HEAP_MB.get(function);
        String first = events.apply(0);
        long start = System.nanoTime();
        LocalFunction f = mode.name().equals("native")
                ? LocalFunction.startNative(function, mode.artifact(), heap, env, logs.resolve(mode.name()))
                : LocalFunction.start(function, mode.artifact(), heap, env, logs.resolve(mode.name()));
        try (f) {
            check(function, mode, f.invoke(first, 120_000));
            figures.coldMs().add((System.nanoTime() - start) / 1e6);
            for (int i = 1; i <= warms; i++) {
                String event = events.apply(i);
                long t = System.nanoTime();
                check(function, mode, f.invoke(event, 60_000));
                figures.warmMs().add((System.nanoTime() - t) / 1e6);
            }
            figures.rssKb().add(rssKb(f.process().pid()));
        }
    }

    private static void check(String function, Mode mode, LambdaRuntimeApi.Result result) {
        if (result.error() || result.payload().contains("\"statusCode\":5")) {
            throw new IllegalStateException(function + " (" + mode.name() + ") failed: " + result.payload());
        }
    }

    private static long rssKb(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double mb(Path file) throws Exception {
        return Files.size(file) / 1e6;
    }
}
