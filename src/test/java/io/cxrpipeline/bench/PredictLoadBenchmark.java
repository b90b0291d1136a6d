package io.cxrpipeline.bench;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.cxrpipeline.catalog.aws.ModelItems;
import io.cxrpipeline.catalog.aws.TableDefinition;
import io.cxrpipeline.common.PipelineConfig;
import io.cxrpipeline.inference.aws.DynamoPromotedModels;
import io.cxrpipeline.local.Dynalite;
import io.cxrpipeline.local.EmbeddedS3;
import io.cxrpipeline.local.FreePorts;
import io.cxrpipeline.local.LocalClients;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;

import io.cxrpipeline.api.HttpApiRequest;
import io.cxrpipeline.api.HttpApiResponse;
import io.cxrpipeline.api.ProblemMapper;
import io.cxrpipeline.common.Json;
import io.cxrpipeline.inference.ImagePreprocessor;
import io.cxrpipeline.inference.ModelProvider;
import io.cxrpipeline.inference.OnnxModel;
import io.cxrpipeline.inference.PredictRoute;
import io.cxrpipeline.inference.PredictionService;
import io.cxrpipeline.inference.Preset;
import io.cxrpipeline.inference.aws.S3BucketObjects;
import io.cxrpipeline.local.sample.SampleData;
import io.cxrpipeline.local.sample.SyntheticXray;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * {@code POST /predict} under load, with a model promotion in the middle: C clients send a 1000×800 JPEG in a loop
 * for S seconds through the predict route (the small test model, downloaded from S3Proxy into a cache as in the
 * Lambda, the promoted pointer read from dynalite as in the Lambda); at half time the promoted pointer moves to
 * another version (the int8 test model), which the route swaps in on the next refresh (1 s). With {@code --faults},
 * S3 is stopped just before that promotion and started again 3 s later (the new model cannot be fetched meanwhile),
 * and DynamoDB is stopped for 3 s at three quarters of the run (the pointer cannot be read). Reports requests,
 * status classes, 5xx, p50/p99 latency, and the served versions.
 *
 * <pre>
 * ./mvnw -q -B test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.cxrpipeline.bench.PredictLoadBenchmark -Dexec.args="--clients 20 --seconds 60 --faults"
 * </pre>
 */
public final class PredictLoadBenchmark {

    private static final String BUCKET = "cxr-load";
    private static final String TABLE = "cxr-load";

    private PredictLoadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int clients = 20;
        int seconds = 60;
        boolean faults = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--clients")) {
                clients = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--seconds")) {
                seconds = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--faults")) {
                faults = true;
            }
        }
        Path work = Files.createTempDirectory("cxr-load");
        int s3Port = FreePorts.find();
        EmbeddedS3[] s3 = {EmbeddedS3.start(s3Port, work.resolve("s3"), b -> b)};
        Dynalite[] dynamo = {Dynalite.start(Path.of("").toAbsolutePath(), FreePorts.find(), work.resolve("dynamodb"),
                work.resolve("dynalite.log"))};
        try (S3Client s3c = LocalClients.s3(URI.create("http://127.0.0.1:" + s3Port));
                DynamoDbClient db = LocalClients.dynamo(dynamo[0].endpoint())) {
            run(clients, seconds, faults, work, s3, dynamo, s3c, db);
        } finally {
            s3[0].close();
            dynamo[0].close();
        }
    }

    private static void promote(DynamoDbClient db, String version, String uri) {
        Map<String, AttributeValue> item = new java.util.HashMap<>(ModelItems.key(ModelItems.PROMOTED_SK));
        item.put(ModelItems.VERSION, AttributeValue.fromS(version));
        item.put(ModelItems.MODEL_URI, AttributeValue.fromS(uri));
        db.putItem(b -> b.tableName(TABLE).item(item));
    }

    private static void run(int clients, int seconds, boolean faults, Path work, EmbeddedS3[] s3, Dynalite[] dynamo,
            S3Client s3c, DynamoDbClient db) throws Exception {
        s3c.createBucket(b -> b.bucket(BUCKET));
        db.createTable(TableDefinition.createTableRequest(TABLE));
        String v1 = "s3://" + BUCKET + "/training-runs/load-1/model.onnx";
        String v2 = "s3://" + BUCKET + "/training-runs/load-2/model.onnx";
        s3c.putObject(b -> b.bucket(BUCKET).key("training-runs/load-1/model.onnx"),
                RequestBody.fromFile(Path.of("src/test/resources/models/tiny-vgg.onnx")));
        s3c.putObject(b -> b.bucket(BUCKET).key("training-runs/load-2/model.onnx"),
                RequestBody.fromFile(Path.of("src/test/resources/models/tiny-vgg-int8.onnx")));
        promote(db, "load-1", v1);
        PipelineConfig pipeline = new PipelineConfig() {
            @Override
            public String bucket() {
                return BUCKET;
            }

            @Override
            public String table() {
                return TABLE;
            }
        };
        Path cache = Files.createTempDirectory("cxr-load-cache");
        ModelProvider provider = new ModelProvider(new DynamoPromotedModels(db, pipeline), new S3BucketObjects(s3c),
                new ModelProvider.Settings(true, Optional.empty(), Duration.ofSeconds(1), cache,
                        new OnnxModel.Options(2, Preset.TORCHVISION_VGG16, List.of("NORMAL", "PNEUMONIA"), 0.5)),
                System::nanoTime);
        PredictionService service = new PredictionService(provider, new S3BucketObjects(s3c), new ImagePreprocessor(3),
                new PredictionService.Limits(BUCKET, 40_000_000L, 50L << 20, 16));
        PredictRoute route = new PredictRoute(service, new Json(new ObjectMapper()), 6 * 1024 * 1024);
        provider.warmUp();
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        SampleData.jpeg(SyntheticXray.image(1000, 800, SyntheticXray.Finding.values()[1], 7), 85, jpeg);
        String body = Base64.getEncoder().encodeToString(jpeg.toByteArray());

        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        long promoteAt = System.nanoTime() + Duration.ofSeconds(seconds).toNanos() / 2;
        AtomicInteger[] byClass = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger(), new AtomicInteger(),
            new AtomicInteger(), new AtomicInteger()};
        List<long[]> latencies = new ArrayList<>();
        Map<String, AtomicInteger> versions = new java.util.concurrent.ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        for (int c = 0; c < clients; c++) {
            long[] mine = new long[1_000_000];
            latencies.add(mine);
            pool.submit(() -> {
                int n = 0;
                while (System.nanoTime() < end) {
                    long t = System.nanoTime();
                    int status;
                    try {
                        HttpApiResponse r = route.handle(new HttpApiRequest("2.0", "POST /predict", "/predict", "",
                                Map.of("content-type", "image/jpeg"), null, null, null, body, true), Map.of());
                        status = r.statusCode();
                        if (status == 200) {
                            String v = r.body().replaceAll(".*\"modelVersion\"\\s*:\\s*\"([^\"]*)\".*", "$1");
                            versions.computeIfAbsent(v.length() > 40 ? "?" : v, k -> new AtomicInteger())
                                    .incrementAndGet();
                        }
                    } catch (Exception x) {
                        status = ProblemMapper.toProblem(x, "POST", "/predict").status();
                    }
                    mine[1 + n++] = System.nanoTime() - t;
                    mine[0] = n;
                    byClass[status / 100].incrementAndGet();
                }
                return null;
            });
        }
        while (System.nanoTime() < promoteAt) {
            Thread.sleep(50);
        }
        int faultsInjected = 0;
        if (faults) {
            s3[0].close();
            System.out.println("fault: S3 stopped just before the promotion");
        }
        promote(db, "load-2", v2);
        System.out.println("promoted load-2 at half time");
        if (faults) {
            Thread.sleep(3_000);
            s3[0] = EmbeddedS3.start(s3[0].endpoint().getPort(), work.resolve("s3"), b -> b);
            faultsInjected++;
            System.out.println("fault: S3 restarted 3 s later");
            while (System.nanoTime() < promoteAt + Duration.ofSeconds(seconds).toNanos() / 4) {
                Thread.sleep(50);
            }
            int port = dynamo[0].endpoint().getPort();
            dynamo[0].close();
            System.out.println("fault: DynamoDB stopped at three quarters");
            Thread.sleep(3_000);
            dynamo[0] = Dynalite.start(Path.of("").toAbsolutePath(), port, work.resolve("dynamodb"),
                    work.resolve("dynalite.log"));
            faultsInjected++;
            System.out.println("fault: DynamoDB restarted 3 s later");
        }
        pool.shutdown();
        pool.awaitTermination(seconds + 60L, TimeUnit.SECONDS);
        List<Long> all = new ArrayList<>();
        for (long[] l : latencies) {
            for (int i = 1; i <= l[0]; i++) {
                all.add(l[i]);
            }
        }
        java.util.Collections.sort(all);
        int total = all.size();
        System.out.printf(Locale.ROOT, "clients %d, %d s, %d requests (%.1f/s); 2xx %d, 4xx %d, 5xx %d%n", clients,
                seconds, total, total / (double) seconds, byClass[2].get(), byClass[4].get(), byClass[5].get());
        System.out.printf(Locale.ROOT, "latency p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                all.get(total / 2) / 1e6, all.get(Math.min(total - 1, (int) (total * 0.99))) / 1e6,
                all.get(total - 1) / 1e6);
        System.out.println("served versions: " + versions);
        System.out.println("faults injected: " + faultsInjected);
        provider.close();
        if (byClass[5].get() != 0) {
            throw new IllegalStateException(byClass[5].get() + " requests answered 5xx");
        }
    }
}
