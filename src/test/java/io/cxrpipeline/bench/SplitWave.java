package io.cxrpipeline.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cxrpipeline.catalog.aws.DynamoImageCatalog;
import io.cxrpipeline.local.Dynalite;
import io.cxrpipeline.local.EmbeddedS3;
import io.cxrpipeline.local.LocalClients;
import io.cxrpipeline.splits.CompactIndex;
import io.cxrpipeline.splits.SplitParameters;
import io.cxrpipeline.splits.SplitService;
import io.cxrpipeline.splits.StoredSplit;
import io.cxrpipeline.splits.aws.DynamoSplitRepository;
import io.cxrpipeline.splits.aws.S3ManifestStore;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * N concurrent split requests of {@link ReliabilityBenchmark}'s dataset, started when the burst reaches a number of
 * deliveries, and the check that every split's manifests hold exactly the index state its recorded digest names.
 */
final class SplitWave {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One request: its seed, the split it got (null: failed after its retries), retries and wall time. */
    record Result(long seed, StoredSplit split, boolean created, int retries, String failure, double seconds) {
    }

    private final List<Future<Result>> futures = new ArrayList<>();
    private final Thread starter;

    SplitWave(int requests, EmbeddedS3[] s3, Dynalite[] dynamo, int atDeliveries, AtomicInteger done) {
        ExecutorService pool = Executors.newFixedThreadPool(requests);
        // Clients on the emulators' ports: the fault injection restarts them on the same ports.
        S3Client s3Client = LocalClients.s3(URI.create("http://127.0.0.1:" + s3[0].endpoint().getPort()));
        DynamoDbClient dynamoClient = LocalClients.dynamo(dynamo[0].endpoint());
        SplitService service = new SplitService(new DynamoImageCatalog(dynamoClient, ReliabilityBenchmark.TABLE, 16),
                new S3ManifestStore(s3Client, ReliabilityBenchmark.BUCKET, 5 << 20),
                new DynamoSplitRepository(dynamoClient, ReliabilityBenchmark.TABLE), ReliabilityBenchmark.BUCKET,
                List.of("NORMAL", "PNEUMONIA"), Clock.systemUTC());
        starter = new Thread(() -> {
            while (done.get() < atDeliveries) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            System.out.printf(Locale.ROOT, "splits: %d concurrent requests at %d deliveries%n", requests, done.get());
            synchronized (futures) {
                for (int r = 0; r < requests; r++) {
                    long seed = 1 + r / 2; // each seed asked twice: the second finds or races the first
                    futures.add(pool.submit(() -> split(service, seed)));
                }
            }
            pool.shutdown();
        }, "split-wave");
        starter.start();
    }

    private static Result split(SplitService service, long seed) throws InterruptedException {
        long t0 = System.nanoTime();
        String failure = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                SplitService.Outcome o = service.create(ReliabilityBenchmark.DATASET, SplitParameters.defaults(seed));
                return new Result(seed, o.split(), o.created(), attempt, null, (System.nanoTime() - t0) / 1e9);
            } catch (Exception e) {
                // A request that meets a stopped emulator is retried, as a client retries a 503.
                failure = e.getClass().getSimpleName() + ": " + e.getMessage();
                Thread.sleep(1_000L * (attempt + 1));
            }
        }
        return new Result(seed, null, false, 5, failure, (System.nanoTime() - t0) / 1e9);
    }

    List<Result> await() throws Exception {
        starter.join();
        List<Result> results = new ArrayList<>();
        synchronized (futures) {
            for (Future<Result> f : futures) {
                results.add(f.get());
            }
        }
        return results;
    }

    /**
     * Reads every distinct split's manifests back and checks them against its summary: the images of the three
     * partitions, with the contents they were uploaded with, must give the recorded index digest and count, and no
     * image or patient may be in two partitions. Prints the figures and returns the number of inconsistent splits
     * plus failed requests.
     */
    static int report(List<Result> results, S3Client s3, Map<String, String> contentIds) throws Exception {
        int failed = 0;
        int created = 0;
        int retries = 0;
        double slowest = 0;
        Map<String, StoredSplit> distinct = new LinkedHashMap<>();
        for (Result r : results) {
            retries += r.retries();
            slowest = Math.max(slowest, r.seconds());
            if (r.split() == null) {
                failed++;
                System.out.println("split request failed: seed " + r.seed() + ": " + r.failure());
                continue;
            }
            created += r.created() ? 1 : 0;
            distinct.putIfAbsent(r.split().splitId(), r.split());
        }
        int inconsistent = 0;
        Set<String> digests = new HashSet<>();
        for (StoredSplit split : distinct.values()) {
            JsonNode summary = MAPPER.readTree(split.summary());
            String recorded = summary.path("index").path("digest").asText();
            long recordedImages = summary.path("index").path("images").asLong();
            digests.add(recorded);
            String uriPrefix = "s3://" + ReliabilityBenchmark.BUCKET + "/images/" + ReliabilityBenchmark.DATASET + "/";
            Map<String, String> partitionOf = new HashMap<>();
            Map<String, String> patientPartition = new HashMap<>();
            CompactIndex.Builder rebuilt = CompactIndex.builder(List.of("NORMAL", "PNEUMONIA"));
            int inTwo = 0;
            for (String part : List.of("train", "val", "test")) {
                String key = URI.create(split.file(part + ".jsonl")).getPath().substring(1);
                String bucket = URI.create(split.file(part + ".jsonl")).getHost();
                try (BufferedReader in = new BufferedReader(new InputStreamReader(
                        s3.getObject(b -> b.bucket(bucket).key(key)), StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        JsonNode row = MAPPER.readTree(line);
                        String imageId = row.path("source-ref").asText().substring(uriPrefix.length());
                        String was = partitionOf.putIfAbsent(imageId, part);
                        String patient = row.path("patient").isNull() ? null : row.path("patient").asText();
                        if (patient != null) {
                            String pWas = patientPartition.putIfAbsent(patient, part);
                            inTwo += pWas != null && !pWas.equals(part) ? 1 : 0;
                        }
                        if (was == null) {
                            rebuilt.add(imageId, row.path("class-name").asText(),
                                    row.path("subtype").isNull() ? null : row.path("subtype").asText(), patient,
                                    contentIds.get(imageId));
                        } else if (!was.equals(part)) {
                            inTwo++;
                        }
                    }
                }
            }
            CompactIndex index = rebuilt.build();
            boolean ok = index.digest().equals(recorded) && index.size() == recordedImages && inTwo == 0;
            inconsistent += ok ? 0 : 1;
            System.out.printf(Locale.ROOT, "split %s seed %s: %d images (recorded %d), digest %s, in two partitions %d%n",
                    split.splitId(), summary.path("parameters").path("seed").asText(), index.size(), recordedImages,
                    index.digest().equals(recorded) ? "matches" : "DIFFERS", inTwo);
        }
        System.out.printf(Locale.ROOT, "split requests              %d (%d failed after retries, %d retries), %d distinct"
                + " splits (%d made, the rest found), %d index states, slowest %.1f s%n", results.size(), failed, retries,
                distinct.size(), created, digests.size(), slowest);
        System.out.printf(Locale.ROOT, "splits inconsistent         %d of %d%n", inconsistent, distinct.size());
        return inconsistent + failed;
    }
}
