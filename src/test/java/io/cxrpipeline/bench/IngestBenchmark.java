package io.cxrpipeline.bench;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import io.cxrpipeline.catalog.ImageRecord;
import io.cxrpipeline.ingest.aws.DynamoImageIndex;
import io.cxrpipeline.ingest.ImageIndex;
import io.cxrpipeline.ingest.IndexOutcome;
import io.cxrpipeline.ingest.IndexingService;
import io.cxrpipeline.ingest.KeyRules;
import io.cxrpipeline.ingest.ObjectAnalyzer;
import io.cxrpipeline.ingest.ObjectEvent;
import io.cxrpipeline.ingest.SourceObjects;
import io.cxrpipeline.ingest.aws.S3SourceObjects;
import io.cxrpipeline.ingest.Sequencers;
import io.cxrpipeline.local.sample.SampleData;
import io.cxrpipeline.local.sample.SyntheticXray;
import io.cxrpipeline.testing.Emulators;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Indexes N synthetic chest X-rays (uploaded through S3) through the ingest service against S3 and DynamoDB
 * emulators, and reports images/s, the handler's own CPU and wall time per object apart from the time spent in
 * S3 and DynamoDB calls, and a baseline measured in the same run: the bare round trips (one ranged GET, one
 * PutItem per object) without any of our logic.
 *
 * <pre>
 * ./mvnw -q -B test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.cxrpipeline.bench.IngestBenchmark [-Dexec.args="--count 5000 --threads 4"]
 * # against the local stack:  --s3-endpoint http://127.0.0.1:4566 --dynamo-endpoint http://127.0.0.1:8000
 * #                           --bucket cxr-pipeline --table cxr-pipeline
 * </pre>
 */
public final class IngestBenchmark {

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    /** Outside {@code images/}, so that a local stack's own event delivery does not index the same objects. */
    private static final String PREFIX = "bench-images/";

    private IngestBenchmark() {
    }

    /** Time and CPU spent inside one kind of call. */
    static final class Meter {
        final LongAdder calls = new LongAdder();
        final LongAdder wallNanos = new LongAdder();
        final LongAdder cpuNanos = new LongAdder();

        <T> T time(Supplier<T> call) {
            long cpu = CPU.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            try {
                return call.get();
            } finally {
                wallNanos.add(System.nanoTime() - start);
                cpuNanos.add(CPU.getCurrentThreadCpuTime() - cpu);
                calls.increment();
            }
        }

        void reset() {
            calls.reset();
            wallNanos.reset();
            cpuNanos.reset();
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int count = Integer.parseInt(a.getOrDefault("count", "5000"));
        int threads = Integer.parseInt(a.getOrDefault("threads", "4"));
        S3Client s3;
        DynamoDbClient dynamo;
        String bucket;
        String table;
        if (a.containsKey("s3-endpoint")) {
            StaticCredentialsProvider creds = StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
            s3 = S3Client.builder().endpointOverride(URI.create(a.get("s3-endpoint"))).region(Region.US_EAST_1)
                    .credentialsProvider(creds).forcePathStyle(true).httpClient(UrlConnectionHttpClient.create()).build();
            dynamo = DynamoDbClient.builder().endpointOverride(URI.create(a.get("dynamo-endpoint")))
                    .region(Region.US_EAST_1).credentialsProvider(creds).httpClient(UrlConnectionHttpClient.create())
                    .build();
            bucket = a.getOrDefault("bucket", "cxr-pipeline");
            table = a.getOrDefault("table", "cxr-pipeline");
        } else {
            s3 = Emulators.get().s3();
            dynamo = Emulators.get().dynamo();
            bucket = Emulators.BUCKET;
            table = Emulators.TABLE;
        }
        String dataset = "bench-" + Long.toString(System.currentTimeMillis(), 36);
        System.out.printf("ingest benchmark: %d images, %d threads, bucket %s, table %s, dataset %s%n", count, threads,
                bucket, table, dataset);

        // 1. Synthetic X-rays, each object unique (a comment segment makes its bytes and ETag its own).
        long t0 = System.nanoTime();
        List<byte[]> pool = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            int w = 1000 + i * 37;
            int h = 1000 - i * 11;
            BufferedImage img = SyntheticXray.image(w, h, SyntheticXray.Finding.values()[i % 3], i);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            SampleData.jpeg(img, 75, out);
            pool.add(out.toByteArray());
        }
        List<ObjectEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(null);
        }
        long[] uploaded = new long[1];
        parallel(threads * 3, count, i -> {
            boolean pneumonia = i % 4 != 0;
            String imageId = (i % 10 == 0 ? "test/" : "train/") + (pneumonia
                    ? "PNEUMONIA/person%d_%s_%d.jpeg".formatted(i / 3, i % 3 == 0 ? "virus" : "bacteria", i)
                    : "NORMAL/IM-%04d-%04d.jpeg".formatted(i / 2, i % 2 + 1));
            String key = PREFIX + dataset + "/" + imageId;
            byte[] bytes = withComment(pool.get(i % pool.size()), "bench " + i);
            String eTag = ObjectEvent.unquote(s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(bytes))
                    .eTag());
            events.set(i, new ObjectEvent(ObjectEvent.Kind.CREATED, "ObjectCreated:Put", null, bucket, key,
                    (long) bytes.length, eTag, Sequencers.normalise(Long.toHexString(0x5E0000000000L + i)), null));
            synchronized (uploaded) {
                uploaded[0] += bytes.length;
            }
        });
        System.out.printf(Locale.ROOT, "prepared: %d objects, %.0f KB average, in %.1f s%n", count,
                uploaded[0] / 1024.0 / count, (System.nanoTime() - t0) / 1e9);

        // 2. The ingest service over instrumented ports, and the baseline: the bare round trips without any of our
        // logic (one 64 KiB ranged GET and one PutItem per object). They alternate slice by slice, after a warm-up,
        // so that both see the same machine load.
        Meter s3Meter = new Meter();
        Meter dynamoMeter = new Meter();
        SourceObjects store = timed(new S3SourceObjects(s3), s3Meter);
        ImageIndex index = timed(new DynamoImageIndex(dynamo, table, 16), dynamoMeter);
        IndexingService service = new IndexingService(new KeyRules(PREFIX, List.of("NORMAL", "PNEUMONIA"),
                List.of("train", "val", "test"), java.util.regex.Pattern.compile("(?i)(bacteria|virus)"),
                java.util.regex.Pattern.compile("(?i)(person\\d+)_"), "class", "patient-id", "subtype"),
                new ObjectAnalyzer(store, 65536, 4096, 1 << 20, 50_000_000), index, store, bucket, Clock.systemUTC(),
                Duration.ofDays(14), io.cxrpipeline.ingest.PatientIds.none());
        int warm = Math.min(200, count / 10);
        baseline(s3, dynamo, bucket, table, events.subList(0, warm), threads, new Meter());
        run(service, events.subList(0, warm), threads, s3Meter, dynamoMeter);
        List<ObjectEvent> measured = events.subList(warm, count);
        int n = measured.size();
        Meter baseline = new Meter();
        double baselineSeconds = 0;
        List<Result> first = new ArrayList<>();
        List<Result> again = new ArrayList<>();
        int slices = 5;
        for (int sIdx = 0; sIdx < slices; sIdx++) {
            List<ObjectEvent> slice = measured.subList(n * sIdx / slices, n * (sIdx + 1) / slices);
            baselineSeconds += baseline(s3, dynamo, bucket, table, slice, threads, baseline);
            s3Meter.reset();
            dynamoMeter.reset();
            first.add(run(service, slice, threads, s3Meter, dynamoMeter));
            s3Meter.reset();
            dynamoMeter.reset();
            again.add(run(service, slice, threads, s3Meter, dynamoMeter));
        }
        Result ours = Result.sum(first);
        Result redelivered = Result.sum(again);
        count = n;

        System.out.println();
        System.out.printf(Locale.ROOT, "%-44s %10s %12s%n", "", "images/s", "ms/image");
        System.out.printf(Locale.ROOT, "measured %d images after %d warm-up; load average %s%n", count, warm,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.printf(Locale.ROOT, "%-44s %10.0f %12.2f%n", "baseline (1 ranged GET + 1 PutItem, no logic)",
                count / baselineSeconds, baseline.wallNanos.sum() / 1e6 / count);
        System.out.printf(Locale.ROOT, "%-44s %10.0f %12.2f%n", "index-objects service, first delivery",
                count / ours.seconds, ours.wallMsPerImage);
        System.out.printf(Locale.ROOT, "%-44s %10.0f %12.2f%n", "index-objects service, redelivered events",
                count / redelivered.seconds, redelivered.wallMsPerImage);
        System.out.printf(Locale.ROOT, "throughput ratio ours/baseline: %.2f%n%n",
                (count / ours.seconds) / (count / baselineSeconds));
        ours.print("first delivery");
        redelivered.print("redelivery");
        System.out.println("outcomes: " + ours.outcomes + " / redelivered: " + redelivered.outcomes);
        System.out.flush();
        System.exit(0);
    }

    /** Per-run figures (per-image values are means). */
    record Result(int images, double seconds, double wallMsPerImage, double ownWallMs, double ownCpuMs, double s3Ms,
            double dynamoMs, double s3Calls, double dynamoCalls, double portCpuMs, Map<String, Integer> outcomes) {

        static Result sum(List<Result> parts) {
            int n = parts.stream().mapToInt(Result::images).sum();
            Map<String, Integer> outcomes = new java.util.TreeMap<>();
            parts.forEach(p -> p.outcomes().forEach((k, v) -> outcomes.merge(k, v, Integer::sum)));
            java.util.function.ToDoubleFunction<java.util.function.ToDoubleFunction<Result>> mean =
                    f -> parts.stream().mapToDouble(p -> f.applyAsDouble(p) * p.images()).sum() / n;
            return new Result(n, parts.stream().mapToDouble(Result::seconds).sum(), mean.applyAsDouble(Result::wallMsPerImage),
                    mean.applyAsDouble(Result::ownWallMs), mean.applyAsDouble(Result::ownCpuMs),
                    mean.applyAsDouble(Result::s3Ms), mean.applyAsDouble(Result::dynamoMs),
                    mean.applyAsDouble(Result::s3Calls), mean.applyAsDouble(Result::dynamoCalls),
                    mean.applyAsDouble(Result::portCpuMs), outcomes);
        }

        void print(String name) {
            System.out.printf(Locale.ROOT, "%s, per image (mean over %s):%n", name, "all images");
            System.out.printf(Locale.ROOT, "  handler own CPU          %8.3f ms%n", ownCpuMs);
            System.out.printf(Locale.ROOT, "  handler own wall         %8.3f ms  (outside S3/DynamoDB calls)%n",
                    ownWallMs);
            System.out.printf(Locale.ROOT, "  waiting on S3            %8.3f ms  (%.2f calls)%n", s3Ms, s3Calls);
            System.out.printf(Locale.ROOT, "  waiting on DynamoDB      %8.3f ms  (%.2f calls)%n", dynamoMs, dynamoCalls);
            System.out.printf(Locale.ROOT, "  SDK client CPU in calls  %8.3f ms  (signing, marshalling)%n", portCpuMs);
        }
    }

    private static Result run(IndexingService service, List<ObjectEvent> events, int threads, Meter s3, Meter dynamo)
            throws Exception {
        int n = events.size();
        LongAdder wall = new LongAdder();
        LongAdder cpu = new LongAdder();
        Map<String, Integer> outcomes = new java.util.concurrent.ConcurrentSkipListMap<>();
        long start = System.nanoTime();
        parallel(threads, n, i -> {
            long c = CPU.getCurrentThreadCpuTime();
            long w = System.nanoTime();
            IndexOutcome o = service.apply(events.get(i));
            wall.add(System.nanoTime() - w);
            cpu.add(CPU.getCurrentThreadCpuTime() - c);
            outcomes.merge(o.outcome() + (o.status() == null ? "" : "/" + o.status()), 1, Integer::sum);
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        double portWall = (s3.wallNanos.sum() + dynamo.wallNanos.sum()) / 1e6 / n;
        double portCpu = (s3.cpuNanos.sum() + dynamo.cpuNanos.sum()) / 1e6 / n;
        return new Result(n, seconds, wall.sum() / 1e6 / n, wall.sum() / 1e6 / n - portWall, cpu.sum() / 1e6 / n - portCpu,
                s3.wallNanos.sum() / 1e6 / n, dynamo.wallNanos.sum() / 1e6 / n, s3.calls.sum() / (double) n,
                dynamo.calls.sum() / (double) n, portCpu, outcomes);
    }

    /** The bare round trips; returns the elapsed seconds. */
    private static double baseline(S3Client s3, DynamoDbClient dynamo, String bucket, String table,
            List<ObjectEvent> events, int threads, Meter meter) throws Exception {
        long start = System.nanoTime();
        parallel(threads, events.size(), i -> {
            ObjectEvent e = events.get(i);
            meter.time(() -> {
                s3.getObjectAsBytes(b -> b.bucket(bucket).key(e.key()).range("bytes=0-65535"));
                dynamo.putItem(b -> b.tableName(table).item(Map.of("pk", AttributeValue.fromS("BENCH#" + e.key()),
                        "sk", AttributeValue.fromS("BASELINE"), "eTag", AttributeValue.fromS(e.eTag()))));
                return null;
            });
        });
        return (System.nanoTime() - start) / 1e9;
    }

    interface IndexedTask {
        void run(int i) throws Exception;
    }

    private static void parallel(int threads, int n, IndexedTask task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger next = new AtomicInteger();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                        task.run(i);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    static byte[] withComment(byte[] jpeg, String comment) {
        byte[] c = comment.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] out = new byte[jpeg.length + 4 + c.length];
        out[0] = (byte) 0xFF;
        out[1] = (byte) 0xD8;
        out[2] = (byte) 0xFF;
        out[3] = (byte) 0xFE;
        out[4] = (byte) ((c.length + 2) >> 8);
        out[5] = (byte) (c.length + 2);
        System.arraycopy(c, 0, out, 6, c.length);
        System.arraycopy(jpeg, 2, out, 6 + c.length, jpeg.length - 2);
        return Arrays.copyOf(out, out.length);
    }

    private static SourceObjects timed(SourceObjects store, Meter m) {
        return new SourceObjects() {
            @Override
            public Bytes read(String bucket, String key, String eTag, long start, int length) {
                return m.time(() -> store.read(bucket, key, eTag, start, length));
            }

            @Override
            public Bytes readTail(String bucket, String key, String eTag, int length) {
                return m.time(() -> store.readTail(bucket, key, eTag, length));
            }

            @Override
            public Listing list(String bucket, String prefix, String startAfter, int maxKeys) {
                return m.time(() -> store.list(bucket, prefix, startAfter, maxKeys));
            }
        };
    }

    private static ImageIndex timed(ImageIndex index, Meter m) {
        return new ImageIndex() {
            @Override
            public Stored get(String dataset, String imageId) {
                return m.time(() -> index.get(dataset, imageId));
            }

            @Override
            public String put(ImageRecord record, String releasedContentId, Long expiresAt, String expectedRev,
                    Long groupVer) {
                return m.time(() -> index.put(record, releasedContentId, expiresAt, expectedRev, groupVer));
            }

            @Override
            public String applyDerived(Stored current, ImageRecord derived, long groupVer) {
                return m.time(() -> index.applyDerived(current, derived, groupVer));
            }

            @Override
            public ContentGroup group(String dataset, String contentId) {
                return m.time(() -> index.group(dataset, contentId));
            }

            @Override
            public ContentGroup addMember(String dataset, String contentId, String imageId) {
                return m.time(() -> index.addMember(dataset, contentId, imageId));
            }

            @Override
            public boolean removeMembers(String dataset, String contentId, Set<String> imageIds, long expectedVersion) {
                return m.time(() -> index.removeMembers(dataset, contentId, imageIds, expectedVersion));
            }
        };
    }
}
