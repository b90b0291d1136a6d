package io.cxrpipeline.bench;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.cxrpipeline.catalog.ImageStatus;
import io.cxrpipeline.catalog.TableKeys;
import io.cxrpipeline.catalog.aws.DynamoImageCatalog;
import io.cxrpipeline.catalog.aws.ImageItems;
import io.cxrpipeline.catalog.aws.TableDefinition;
import io.cxrpipeline.common.InfrastructureException;
import io.cxrpipeline.ingest.IndexingService;
import io.cxrpipeline.ingest.KeyRules;
import io.cxrpipeline.ingest.ObjectAnalyzer;
import io.cxrpipeline.ingest.ObjectEvent;
import io.cxrpipeline.ingest.Sequencers;
import io.cxrpipeline.ingest.aws.DynamoImageIndex;
import io.cxrpipeline.ingest.aws.S3SourceObjects;
import io.cxrpipeline.local.Dynalite;
import io.cxrpipeline.local.EmbeddedS3;
import io.cxrpipeline.local.FreePorts;
import io.cxrpipeline.local.LocalClients;
import io.cxrpipeline.local.sample.SampleData;
import io.cxrpipeline.local.sample.SyntheticXray;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Burst and fault injection for ingest, over the wire against S3Proxy and dynalite kept on disk: E S3 events
 * (uploads, some of them identical contents, a label conflict per 100, deletes of every 10th image) delivered
 * twice each in shuffled order by T threads; with {@code --faults}, S3 and then DynamoDB are stopped mid-burst and
 * started again on the same port and data. A delivery is retried twice (200, 400 ms, as Lambda's asynchronous
 * invokes), then kept as a failed event; after the burst the failed events are replayed once. The index is then
 * compared with what the events say, image by image, and the CONTENT# items counted. With {@code --splits N}, N split
 * requests (seeds 1..N/2, each asked twice) run concurrently while the burst is half through; each split's manifests
 * are read back and must hold exactly the index state whose digest the split recorded, with no image or patient in
 * two partitions.
 *
 * <pre>
 * ./mvnw -q -B test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.cxrpipeline.bench.ReliabilityBenchmark \
 *     -Dexec.args="--events 10000 --threads 8 --faults --splits 20"
 * </pre>
 */
public final class ReliabilityBenchmark {

    static final String BUCKET = "cxr-reliability";
    static final String TABLE = "cxr-reliability";
    static final String DATASET = "burst";

    private ReliabilityBenchmark() {
    }

    /** One image's history: its key, label and the content it ends with (null: deleted). */
    private record Expected(String key, String label, String content, boolean deleted) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                boolean flag = i + 1 >= args.length || args[i + 1].startsWith("--");
                a.put(args[i].substring(2), flag ? "true" : args[++i]);
            }
        }
        int events = Integer.parseInt(a.getOrDefault("events", "10000"));
        int threads = Integer.parseInt(a.getOrDefault("threads", "8"));
        boolean faults = a.containsKey("faults");
        int splits = Integer.parseInt(a.getOrDefault("splits", "0"));
        Path work = Files.createTempDirectory("cxr-reliability");
        Path project = Path.of("").toAbsolutePath();
        int s3Port = FreePorts.find();
        int dynamoPort = FreePorts.find();
        URI s3Uri = URI.create("http://127.0.0.1:" + s3Port);
        EmbeddedS3[] s3 = {EmbeddedS3.start(s3Port, work.resolve("s3"), b -> b)};
        Dynalite[] dynamo = {Dynalite.start(project, dynamoPort, work.resolve("dynamodb"), work.resolve("dynalite.log"))};
        try (S3Client s3c = LocalClients.s3(s3Uri); DynamoDbClient db = LocalClients.dynamo(dynamo[0].endpoint())) {
            s3c.createBucket(b -> b.bucket(BUCKET));
            db.createTable(TableDefinition.createTableRequest(TABLE));
            run(events, threads, faults, splits, work, project, s3, dynamo, s3c, db);
        } finally {
            s3[0].close();
            dynamo[0].close();
        }
    }

    private static void run(int eventCount, int threads, boolean faults, int splitRequests, Path work, Path project,
            EmbeddedS3[] s3, Dynalite[] dynamo, S3Client s3c, DynamoDbClient db) throws Exception {
        // 1. The history: uploads, a duplicate content per 20, a label conflict per 100, a delete per 10 uploads.
        List<byte[]> pool = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            SampleData.jpeg(SyntheticXray.image(320 + i * 8, 300, SyntheticXray.Finding.values()[i % 3], i), 70, out);
            pool.add(out.toByteArray());
        }
        int deletes = eventCount / 11; // one per ten uploads, each of an image i = 10d + 5 < uploads
        int uploads = eventCount - deletes;
        List<ObjectEvent> history = new ArrayList<>(eventCount);
        Map<String, Expected> expected = new HashMap<>();
        Map<String, String> contentIds = new HashMap<>();
        long seq = 0x5E0000000000L;
        for (int i = 0; i < uploads; i++) {
            String label = i % 100 == 1 ? "NORMAL" : (i % 3 == 0 ? "NORMAL" : "PNEUMONIA");
            String imageId = "train/" + label + "/img-" + i + ".jpeg";
            String key = "images/" + DATASET + "/" + imageId;
            // i % 20 == 1 repeats the bytes of i - 1 (a duplicate; across classes when i % 100 == 1, a conflict).
            String tag = "burst " + (i % 20 == 1 ? i - 1 : i);
            byte[] bytes = IngestBenchmark.withComment(pool.get((i % 20 == 1 ? i - 1 : i) % pool.size()), tag);
            String eTag = ObjectEvent.unquote(s3c.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(bytes))
                    .eTag());
            history.add(new ObjectEvent(ObjectEvent.Kind.CREATED, "ObjectCreated:Put", null, BUCKET, key,
                    (long) bytes.length, eTag, Sequencers.normalise(Long.toHexString(seq++)), null));
            expected.put(imageId, new Expected(key, label, eTag + ":" + bytes.length, false));
            contentIds.put(imageId, IndexingService.contentId(eTag, bytes.length));
        }
        for (int d = 0; d < deletes; d++) {
            int i = d * 10 + 5; // never a duplicate's original or copy
            String imageId = expected.keySet().stream().filter(k -> k.endsWith("/img-" + i + ".jpeg")).findFirst()
                    .orElseThrow();
            Expected e = expected.get(imageId);
            s3c.deleteObject(b -> b.bucket(BUCKET).key(e.key()));
            history.add(new ObjectEvent(ObjectEvent.Kind.REMOVED, "ObjectRemoved:Delete", null, BUCKET, e.key(), null,
                    null, Sequencers.normalise(Long.toHexString(seq++)), null));
            expected.put(imageId, new Expected(e.key(), e.label(), null, true));
        }
        List<ObjectEvent> deliveries = new ArrayList<>(history);
        deliveries.addAll(history);
        Collections.shuffle(deliveries, new Random(42));
        System.out.printf(Locale.ROOT, "reliability benchmark: %d events (%d uploads, %d deletes), each delivered twice"
                + " in shuffled order = %d deliveries, %d threads, faults %s%n", history.size(), uploads, deletes,
                deliveries.size(), threads, faults ? "on" : "off");

        // 2. The burst, with S3 then DynamoDB stopped and restarted when a third and two thirds are through.
        KeyRules rules = KeyRules.defaults();
        S3Client s3Client = LocalClients.s3(URI.create("http://127.0.0.1:" + s3[0].endpoint().getPort()));
        DynamoDbClient dynamoClient = LocalClients.dynamo(dynamo[0].endpoint());
        S3SourceObjects store = new S3SourceObjects(s3Client);
        IndexingService service = new IndexingService(rules, new ObjectAnalyzer(store, 65536, 4096, 1 << 20, 50_000_000),
                new DynamoImageIndex(dynamoClient, TABLE, 16), store, BUCKET, Clock.systemUTC(), Duration.ofDays(14),
                io.cxrpipeline.ingest.PatientIds.none());
        ConcurrentLinkedQueue<ObjectEvent> failed = new ConcurrentLinkedQueue<>();
        LongAdder retries = new LongAdder();
        AtomicInteger done = new AtomicInteger();
        int[] faultsInjected = {0};
        long start = System.nanoTime();
        ExecutorService pool2 = Executors.newFixedThreadPool(threads);
        for (ObjectEvent e : deliveries) {
            pool2.submit(() -> {
                for (int attempt = 1; attempt <= 3; attempt++) {
                    try {
                        service.apply(e);
                        done.incrementAndGet();
                        return;
                    } catch (InfrastructureException | software.amazon.awssdk.core.exception.SdkException x) {
                        if (attempt == 3) {
                            failed.add(e);
                            done.incrementAndGet();
                            return;
                        }
                        retries.increment();
                        try {
                            Thread.sleep(200L * attempt);
                        } catch (InterruptedException ie) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
            });
        }
        SplitWave wave = splitRequests > 0
                ? new SplitWave(splitRequests, s3, dynamo, deliveries.size() / 2, done) : null;
        if (faults) {
            awaitProgress(done, deliveries.size() / 3);
            int port = s3[0].endpoint().getPort();
            s3[0].close();
            System.out.printf(Locale.ROOT, "fault: S3 stopped after %d deliveries%n", done.get());
            Thread.sleep(3_000);
            s3[0] = EmbeddedS3.start(port, work.resolve("s3"), b -> b);
            faultsInjected[0]++;
            System.out.printf(Locale.ROOT, "fault: S3 restarted at %d deliveries%n", done.get());
            awaitProgress(done, deliveries.size() * 2 / 3);
            int dport = dynamo[0].endpoint().getPort();
            dynamo[0].close();
            System.out.printf(Locale.ROOT, "fault: DynamoDB stopped after %d deliveries%n", done.get());
            Thread.sleep(3_000);
            dynamo[0] = Dynalite.start(project, dport, work.resolve("dynamodb"), work.resolve("dynalite.log"));
            faultsInjected[0]++;
            System.out.printf(Locale.ROOT, "fault: DynamoDB restarted at %d deliveries%n", done.get());
        }
        pool2.shutdown();
        pool2.awaitTermination(1, TimeUnit.HOURS);
        List<SplitWave.Result> splitResults = wave == null ? List.of() : wave.await();
        double burst = (System.nanoTime() - start) / 1e9;
        int failedCount = failed.size();
        // 3. Replay of the failed events (the documented failed-events replay does the same through the function).
        int replayFailed = 0;
        for (ObjectEvent e : failed) {
            try {
                service.apply(e);
            } catch (RuntimeException x) {
                replayFailed++;
            }
        }

        // 4. The index against the history, image by image.
        Map<String, List<String>> byContent = new HashMap<>();
        expected.forEach((id, e) -> {
            if (!e.deleted()) {
                byContent.computeIfAbsent(e.content(), c -> new ArrayList<>()).add(id);
            }
        });
        int lost = 0;
        int wrong = 0;
        Map<String, Long> expectedIndexed = new HashMap<>(Map.of("NORMAL", 0L, "PNEUMONIA", 0L));
        long expectedConflicts = 0;
        for (Map.Entry<String, List<String>> g : byContent.entrySet()) {
            List<String> ids = new ArrayList<>(g.getValue());
            Collections.sort(ids);
            boolean conflict = ids.stream().map(id -> expected.get(id).label()).distinct().count() > 1;
            for (String id : ids) {
                ImageStatus want = !id.equals(ids.get(0)) ? ImageStatus.DUPLICATE
                        : conflict ? ImageStatus.CONFLICT : ImageStatus.INDEXED;
                Map<String, AttributeValue> item = dynamoClient.getItem(b -> b.tableName(TABLE).consistentRead(true)
                        .key(ImageItems.key(DATASET, id))).item();
                if (item == null || item.isEmpty()) {
                    lost++;
                } else if (!want.name().equals(item.get(ImageItems.STATUS).s())) {
                    wrong++;
                }
            }
            if (conflict) {
                expectedConflicts++;
            } else {
                expectedIndexed.merge(expected.get(ids.get(0)).label(), 1L, Long::sum);
            }
        }
        for (Map.Entry<String, Expected> e : expected.entrySet()) {
            if (e.getValue().deleted()) {
                Map<String, AttributeValue> item = dynamoClient.getItem(b -> b.tableName(TABLE).consistentRead(true)
                        .key(ImageItems.key(DATASET, e.getKey()))).item();
                if (item != null && !item.isEmpty() && !"DELETED".equals(item.get(ImageItems.STATUS).s())) {
                    wrong++;
                }
            }
        }
        DynamoImageCatalog catalog = new DynamoImageCatalog(dynamoClient, TABLE, 16);
        long doubleCounted = 0;
        for (String label : List.of("NORMAL", "PNEUMONIA")) {
            doubleCounted += Math.abs(catalog.countIndexed(DATASET, label) - expectedIndexed.get(label));
        }
        doubleCounted += Math.abs(catalog.countWithStatus(DATASET, ImageStatus.CONFLICT) - expectedConflicts);
        long contentItems = dynamoClient.scanPaginator(ScanRequest.builder().tableName(TABLE)
                .filterExpression("begins_with(#pk, :p)").expressionAttributeNames(Map.of("#pk", TableKeys.PK))
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("CONTENT#" + DATASET + "#"))).build())
                .stream().mapToLong(r -> r.count()).sum();

        System.out.println();
        System.out.printf(Locale.ROOT, "events                      %d (%d deliveries)%n", history.size(), deliveries.size());
        System.out.printf(Locale.ROOT, "burst time                  %.1f s (%.0f deliveries/s)%n", burst,
                deliveries.size() / burst);
        System.out.printf(Locale.ROOT, "faults injected             %d (S3 and DynamoDB each stopped 3 s)%n",
                faultsInjected[0]);
        System.out.printf(Locale.ROOT, "retries                     %d%n", retries.sum());
        System.out.printf(Locale.ROOT, "failed events kept          %d, replayed: %d still failing%n", failedCount,
                replayFailed);
        System.out.printf(Locale.ROOT, "images lost                 %d%n", lost);
        System.out.printf(Locale.ROOT, "wrong status                %d%n", wrong);
        System.out.printf(Locale.ROOT, "counts off (double-counted) %d%n", doubleCounted);
        System.out.printf(Locale.ROOT, "CONTENT# items              %d (expected %d live contents)%n", contentItems,
                byContent.size());
        int splitsInconsistent = 0;
        if (wave != null) {
            splitsInconsistent = SplitWave.report(splitResults, s3Client, contentIds);
        }
        System.out.printf(Locale.ROOT, "verdict                     %s%n",
                lost == 0 && wrong == 0 && doubleCounted == 0 && contentItems == byContent.size() && replayFailed == 0
                        && splitsInconsistent == 0 ? "EXACT" : "NOT EXACT");
        s3Client.close();
        dynamoClient.close();
    }

    private static void awaitProgress(AtomicInteger done, int target) throws InterruptedException {
        while (done.get() < target) {
            Thread.sleep(20);
        }
    }
}
