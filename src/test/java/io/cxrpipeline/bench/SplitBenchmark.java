package io.cxrpipeline.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cxrpipeline.catalog.aws.DynamoImageCatalog;
import io.cxrpipeline.catalog.ImageCatalog;
import io.cxrpipeline.catalog.ImageItemWriter;
import io.cxrpipeline.catalog.ImageRecord;
import io.cxrpipeline.distribution.DistributionService;
import io.cxrpipeline.splits.CompactIndex;
import io.cxrpipeline.splits.aws.DynamoSplitRepository;
import io.cxrpipeline.splits.InMemoryManifestStore;
import io.cxrpipeline.splits.InMemorySplitRepository;
import io.cxrpipeline.splits.ManifestWriter;
import io.cxrpipeline.splits.aws.S3ManifestStore;
import io.cxrpipeline.splits.SplitParameters;
import io.cxrpipeline.splits.SplitPlan;
import io.cxrpipeline.splits.SplitPlanner;
import io.cxrpipeline.splits.SplitService;
import io.cxrpipeline.splits.SyntheticIndex;
import io.cxrpipeline.testing.Emulators;

/**
 * Split creation on Kermany-like synthetic indexes: in memory at 10k, 100k and 1M images (time per phase, heap
 * retained by the compact index and plan, sampled peak heap), end to end against dynalite and S3Proxy at 10k and
 * 100k, and scikit-learn's StratifiedGroupKFold / GroupShuffleSplit with imbalanced-learn's RandomOverSampler on
 * the very same records (written to CSV). The baseline of each in-memory row is the cost of generating and
 * consuming the records without splitting.
 *
 * <pre>
 * ./mvnw -q -B test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.cxrpipeline.bench.SplitBenchmark
 *   [-Dbench.sizes=10000,100000,1000000] [-Dbench.e2e=10000,100000] [-Dbench.python=true]
 * </pre>
 */
public final class SplitBenchmark {

    private static final List<String> CLASSES = List.of("NORMAL", "PNEUMONIA");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final Path OUT = Path.of("target/bench");
    private static final long SEED = 42;

    private SplitBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Files.createDirectories(OUT);
        int[] sizes = sizes("bench.sizes", "10000,100000,1000000");
        int[] e2e = sizes("bench.e2e", "10000,100000");
        boolean python = Boolean.parseBoolean(System.getProperty("bench.python", "true"));
        System.out.printf(Locale.ROOT, "JVM %s, %d cores, max heap %d MiB%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);

        System.out.println();
        System.out.println("== in memory: synthetic catalog -> compact index -> plan -> manifests (bytes counted)");
        System.out.println("images | stream only s | read+index s | digest s | plan s | write s | total create s"
                + " | total create CPU s | x stream | retained B/image | sampled peak heap MiB | manifest MiB | leakage | max dev pp");
        // Warm-up: compile the hot paths before anything is measured.
        inMemory(20_000, false);
        for (int n : sizes) {
            inMemory(n, true);
        }

        if (python) {
            System.out.println();
            System.out.println("== same records: this service vs scikit-learn (+ imbalanced-learn RandomOverSampler)");
            System.out.println("images | method | split s | oversample s | patients in 2 splits | contents in 2 splits"
                    + " | max dev pp");
            for (int n : sizes) {
                compare(n);
            }
        }

        if (e2e.length > 0) {
            System.out.println();
            System.out.println("== end to end: dynalite (gsi1 queries) + S3Proxy (multipart), adapters of the service");
            System.out.println("images | load items/s | distribution s | create split s | repeat (existing) s"
                    + " | leakage | max dev pp");
            for (int n : e2e) {
                endToEnd(n);
            }
        }
        System.exit(0);
    }

    private static int[] sizes(String property, String fallback) {
        String v = System.getProperty(property, fallback).trim();
        if (v.isEmpty()) {
            return new int[0];
        }
        String[] parts = v.split(",");
        int[] sizes = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            sizes[i] = Integer.parseInt(parts[i].trim());
        }
        return sizes;
    }

    private static void inMemory(int n, boolean print) throws IOException, InterruptedException {
        String dataset = "bench" + n;
        ImageCatalog catalog = SyntheticIndex.catalog(dataset, n, SEED);

        // Baseline: the cost of producing and consuming the stream, without any split work.
        long t0 = System.nanoTime();
        AtomicLong sink = new AtomicLong();
        catalog.streamIndexed(dataset, CLASSES, java.util.Set.of(), r -> sink.addAndGet(r.imageId().length()));
        double stream = seconds(t0);

        // Phases, with the heap each keeps alive.
        gc();
        long base = used();
        SplitService phases = new SplitService(catalog, new InMemoryManifestStore(false), new InMemorySplitRepository(),
                "bench-bucket", CLASSES, Clock.systemUTC());
        t0 = System.nanoTime();
        CompactIndex index = phases.readIndex(dataset);
        double read = seconds(t0);
        t0 = System.nanoTime();
        String digest = index.digest();
        double digestSeconds = seconds(t0);
        t0 = System.nanoTime();
        SplitPlan plan = SplitPlanner.plan(index, SplitParameters.defaults(SEED));
        double planSeconds = seconds(t0);
        gc();
        long retained = used() - base;
        InMemoryManifestStore counting = new InMemoryManifestStore(false);
        t0 = System.nanoTime();
        ManifestWriter.write(plan, counting, "bench-bucket", dataset, "manifests/" + dataset + "/x/");
        double write = seconds(t0);
        if (digest.isEmpty()) {
            throw new IllegalStateException();
        }
        index = null;
        plan = null;

        // The whole request as the route runs it, with a sampled peak.
        gc();
        base = used();
        InMemoryManifestStore store = new InMemoryManifestStore(false);
        SplitService service = new SplitService(catalog, store, new InMemorySplitRepository(), "bench-bucket",
                CLASSES, Clock.systemUTC());
        Sampler sampler = new Sampler();
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        t0 = System.nanoTime();
        SplitService.Outcome outcome = service.create(dataset, SplitParameters.defaults(SEED));
        double total = seconds(t0);
        double cpu = (THREADS.getCurrentThreadCpuTime() - cpu0) / 1e9;
        long peak = sampler.stop() - base;
        JsonNode summary = MAPPER.readTree(outcome.split().summary());
        if (!print) {
            return;
        }
        System.out.printf(Locale.ROOT,
                "%d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.1f | %d | %d | %.1f | %s | %.3f%n",
                n, stream, read, digestSeconds, planSeconds, write, total, cpu, total / stream, retained / n, peak >> 20,
                store.bytes() / 1048576.0, summary.at("/leakage/passed").asBoolean() ? "0" : "LEAK",
                summary.at("/ratioDeviation/maxPercentagePoints").asDouble());
        ours.add(new Ours(n, total, summary.at("/leakage/patientsInSeveralSplits").asLong(),
                summary.at("/leakage/contentGroupsInSeveralSplits").asLong(),
                summary.at("/ratioDeviation/maxPercentagePoints").asDouble()));
    }

    private record Ours(int n, double seconds, long patients, long contents, double deviation) {
    }

    private static final List<Ours> ours = new ArrayList<>();

    private static void compare(int n) throws Exception {
        Path csv = ScikitLearnBaseline.writeRecords(OUT.resolve("records-" + n + ".csv"), "bench" + n, n, SEED);
        for (Ours o : ours) {
            if (o.n() == n) {
                System.out.printf(Locale.ROOT, "%d | this service (full request) | %.2f | (incl.) | %d | %d | %.3f%n",
                        n, o.seconds(), o.patients(), o.contents(), o.deviation());
            }
        }
        JsonNode r;
        try {
            r = ScikitLearnBaseline.run(csv, SEED);
        } catch (IllegalStateException e) {
            System.out.println(n + " | " + e.getMessage());
            return;
        }
        for (String method : List.of("StratifiedGroupKFold", "GroupShuffleSplit")) {
            JsonNode m = r.get(method);
            System.out.printf(Locale.ROOT, "%d | %s + RandomOverSampler | %.2f | %.2f | %d | %d | %.3f%n", n, method,
                    m.get("splitSeconds").asDouble(), m.get("oversampleSeconds").asDouble(),
                    m.get("patientsInSeveralSplits").asLong(), m.get("contentsInSeveralSplits").asLong(),
                    m.get("maxDeviationPercentagePoints").asDouble());
        }
    }

    private static void endToEnd(int n) throws Exception {
        Emulators emulators = Emulators.get();
        String dataset = "bench-e2e-" + n + "-" + System.nanoTime();
        int shards = 16;
        List<ImageRecord> records = SyntheticIndex.kermanyLike(dataset, n, SEED);
        long t0 = System.nanoTime();
        ImageItemWriter.putAll(emulators.dynamo(), Emulators.TABLE, records, shards);
        double load = seconds(t0);
        records = null;
        DynamoImageCatalog catalog = new DynamoImageCatalog(emulators.dynamo(), Emulators.TABLE, shards);

        t0 = System.nanoTime();
        new DistributionService(catalog, CLASSES).distribution(dataset);
        double distribution = seconds(t0);

        SplitService service = new SplitService(catalog,
                new S3ManifestStore(emulators.s3(), Emulators.BUCKET, 8 * 1024 * 1024),
                new DynamoSplitRepository(emulators.dynamo(), Emulators.TABLE), Emulators.BUCKET, CLASSES,
                Clock.systemUTC());
        t0 = System.nanoTime();
        SplitService.Outcome outcome = service.create(dataset, SplitParameters.defaults(SEED));
        double create = seconds(t0);
        t0 = System.nanoTime();
        SplitService.Outcome again = service.create(dataset, SplitParameters.defaults(SEED));
        double repeat = seconds(t0);
        if (again.created() || !again.split().equals(outcome.split())) {
            throw new IllegalStateException("the repeated request did not return the existing split");
        }
        JsonNode summary = MAPPER.readTree(outcome.split().summary());
        System.out.printf(Locale.ROOT, "%d | %.0f | %.2f | %.2f | %.2f | %s | %.3f%n", n, n / load, distribution, create,
                repeat, summary.at("/leakage/passed").asBoolean() ? "0" : "LEAK",
                summary.at("/ratioDeviation/maxPercentagePoints").asDouble());
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static void gc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
    }

    private static long used() {
        return MEMORY.getHeapMemoryUsage().getUsed();
    }

    /** Samples the used heap every millisecond; includes garbage not yet collected, so an upper bound. */
    private static final class Sampler {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong peak = new AtomicLong(used());
        private final Thread thread;

        Sampler() {
            thread = new Thread(() -> {
                while (running.get()) {
                    peak.accumulateAndGet(used(), Math::max);
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heap-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        long stop() throws InterruptedException {
            running.set(false);
            thread.join();
            return Math.max(peak.get(), used());
        }
    }
}
