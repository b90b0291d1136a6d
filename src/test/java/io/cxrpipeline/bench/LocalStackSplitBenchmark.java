package io.cxrpipeline.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cxrpipeline.catalog.ImageItemWriter;
import io.cxrpipeline.local.LocalClients;
import io.cxrpipeline.local.LocalStack;
import io.cxrpipeline.splits.SyntheticIndex;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An asynchronous split through the whole local stack: N Kermany-like synthetic images loaded into the stack's
 * DynamoDB in the index layout (timed apart, not part of the figure), then {@code POST /datasets/{ds}/splits} with
 * {@code Prefer: respond-async} through the local API Gateway and the {@code Location} polled until the split is
 * there, as a client sees it; the split runs in the second api instance ({@code api-jobs}, its own JVM), whose
 * peak resident memory (VmHWM) is read from {@code /proc}. The manifests are read back from the local S3 and
 * checked (no image, patient or content in two splits, rows and images equal to the summary, the files readable
 * by pandas with {@code src/test/python/check_manifests.py}); the baseline is scikit-learn's StratifiedGroupKFold
 * + imbalanced-learn's RandomOverSampler on the very same records ({@link ScikitLearnBaseline}).
 *
 * <pre>
 * ./mvnw -q -B package -DskipTests
 * ./mvnw -q -B test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.cxrpipeline.bench.LocalStackSplitBenchmark -Dexec.args=1000000 [-Dbench.python=false]
 * </pre>
 */
public final class LocalStackSplitBenchmark {

    private static final long SEED = 42;
    /** The functions' {@code cxr.catalog.shards} default: items written with another count are invisible to them. */
    private static final int SHARDS = 16;
    private static final List<String> SPLITS = List.of("train", "val", "test");
    private static final List<String> CLASSES = List.of("NORMAL", "PNEUMONIA");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(250);
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(20);

    private LocalStackSplitBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        boolean python = Boolean.parseBoolean(System.getProperty("bench.python", "true"));
        String dataset = "bench-stack-" + n;
        Path work = Files.createTempDirectory("cxr-bench-split");
        System.out.printf(Locale.ROOT, "%d images, JVM %s, %d cores; load average %s (start)%n", n,
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), loadAverage());

        LocalStack.Settings settings = new LocalStack.Settings(Path.of("").toAbsolutePath(), work.resolve("stack"),
                "cxr-bench", "cxr-bench", 0, 0, 0, 0, "/usr/bin/python3");
        Path manifests = work.resolve("manifests");
        Files.createDirectories(manifests);
        Job job;
        JsonNode split;
        try (LocalStack stack = LocalStack.start(settings);
                DynamoDbClient dynamo = LocalClients.dynamo(URI.create(stack.dynamoEndpoint()));
                S3Client s3 = LocalClients.s3(URI.create(stack.s3Endpoint()))) {
            long t0 = System.nanoTime();
            long loaded = ImageItemWriter.putAll(dynamo, settings.table(),
                    sink -> SyntheticIndex.forEach(dataset, n, SEED, sink), SHARDS, 4);
            double load = seconds(t0);
            System.out.printf(Locale.ROOT, "load:  %d items (BatchWriteItem, 4 threads) in %.1f s, %.0f items/s "
                    + "(not part of the figure)%n", loaded, load, loaded / load);
            System.out.printf(Locale.ROOT, "load average %s (before the split)%n", loadAverage());

            job = runJob(stack, dataset);
            split = job.split();
            System.out.printf(Locale.ROOT, "load average %s (split done)%n", loadAverage());

            String prefix = split.path("manifestPrefix").asText();
            String keyPrefix = prefix.substring(("s3://" + settings.bucket() + "/").length());
            long total = 0;
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(settings.bucket()).prefix(keyPrefix)).contents()) {
                String name = o.key().substring(keyPrefix.length());
                total += o.size();
                System.out.printf(Locale.ROOT, "  %-12s %8.1f MiB%n", name, o.size() / 1048576.0);
                if (name.endsWith(".jsonl") || name.endsWith(".csv")) {
                    s3.getObject(b -> b.bucket(settings.bucket()).key(o.key()),
                            ResponseTransformer.toFile(manifests.resolve(name)));
                }
            }
            System.out.printf(Locale.ROOT, "manifests: %.1f MiB under %s%n", total / 1048576.0, prefix);
        }

        JsonNode summary = split.path("summary");
        Leakage leakage = Leakage.of(manifests, summary);
        System.out.printf(Locale.ROOT, "check: rows %s; images in several splits %d, patients %d, contents %d; "
                + "summary counts %s; index.images %d of %d loaded, summary leakage passed %s%n",
                leakage.rows(), leakage.images(), leakage.patients(), leakage.contents(),
                leakage.matchesSummary() ? "equal" : "DIFFER", summary.at("/index/images").asLong(), n,
                summary.at("/leakage/passed").asBoolean());
        String pandas = checkManifests(manifests);
        System.out.println("check_manifests.py: " + pandas);

        System.out.println();
        System.out.printf(Locale.ROOT, "split: request -> manifests complete %.2f s as the client sees it (202 in %.3f s;"
                + " api-jobs process started %.2f s after the request, job first seen RUNNING at %.2f s, so ~%.2f s"
                + " running)%n", job.seconds(), job.acceptedSeconds(), job.processStartSeconds(), job.runningSeconds(),
                job.seconds() - job.runningSeconds());
        System.out.printf(Locale.ROOT, "memory: api-jobs peak RSS (VmHWM) %d MiB with -Xmx%dm -XX:+UseSerialGC%n",
                job.peakRssKb() >> 10, LocalStack.HEAP_MB.get("api"));
        System.out.printf(Locale.ROOT, "CPU during the split: dynalite %.1f s, api-jobs %.1f s (JVM start included), "
                + "this JVM (S3Proxy, polling) %.1f s, of which by thread %s%n", job.dynaliteCpu(), job.jobCpu(),
                job.ownCpu(), job.ownThreads());

        if (python) {
            Path csv = ScikitLearnBaseline.writeRecords(work.resolve("records-" + n + ".csv"), dataset, n, SEED);
            JsonNode r = ScikitLearnBaseline.run(csv, SEED);
            JsonNode m = r.get("StratifiedGroupKFold");
            double baseline = m.get("splitSeconds").asDouble() + m.get("oversampleSeconds").asDouble();
            System.out.printf(Locale.ROOT, "baseline: StratifiedGroupKFold %.2f s + RandomOverSampler %.2f s = %.2f s"
                    + " (contents in two splits %d, max dev %.3f pp; GroupShuffleSplit %.2f s + %.2f s)%n",
                    m.get("splitSeconds").asDouble(), m.get("oversampleSeconds").asDouble(), baseline,
                    m.get("contentsInSeveralSplits").asLong(), m.get("maxDeviationPercentagePoints").asDouble(),
                    r.at("/GroupShuffleSplit/splitSeconds").asDouble(),
                    r.at("/GroupShuffleSplit/oversampleSeconds").asDouble());
            System.out.printf(Locale.ROOT, "ratio: %.2fx (baseline / request -> manifests complete)%n",
                    baseline / job.seconds());
        }
        System.out.printf(Locale.ROOT, "load average %s (end)%n", loadAverage());
        System.exit(0);
    }

    /** What the client saw of the job, and what its processes used meanwhile. */
    private record Job(JsonNode split, double seconds, double acceptedSeconds, double processStartSeconds,
            double runningSeconds, long peakRssKb, double dynaliteCpu, double jobCpu, double ownCpu,
            Map<String, Double> ownThreads) {
    }

    private static Job runJob(LocalStack stack, String dataset) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        ProcessHandle dynalite = stack.dynamoProcess();
        double dynaliteCpu0 = cpuSeconds(dynalite);
        double ownCpu0 = ownCpuSeconds();
        Map<Long, Long> threads0 = threadCpu();
        Instant requested = Instant.now();
        long t0 = System.nanoTime();
        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(
                URI.create(stack.apiEndpoint() + "/datasets/" + dataset + "/splits"))
                .header("content-type", "application/json").header("Prefer", "respond-async")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        double acceptedSeconds = seconds(t0);
        if (accepted.statusCode() != 202) {
            throw new IllegalStateException("POST answered " + accepted.statusCode() + ": " + accepted.body());
        }
        URI location = URI.create(stack.apiEndpoint() + accepted.headers().firstValue("location").orElseThrow());
        double running = Double.NaN;
        long peakKb = 0;
        Optional<ProcessHandle> jobs = Optional.empty();
        while (true) {
            Thread.sleep(POLL.toMillis());
            if (jobs.isEmpty()) {
                jobs = stack.splitJobsProcess();
            }
            peakKb = Math.max(peakKb, jobs.map(LocalStackSplitBenchmark::peakRssKb).orElse(0L));
            HttpResponse<String> poll = http.send(HttpRequest.newBuilder(location).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (poll.statusCode() == 200) {
                double done = seconds(t0);
                ProcessHandle process = jobs.orElseGet(() -> stack.splitJobsProcess().orElseThrow());
                peakKb = Math.max(peakKb, peakRssKb(process));
                double started = Duration.between(requested, process.info().startInstant().orElse(requested))
                        .toMillis() / 1000.0;
                return new Job(MAPPER.readTree(poll.body()), done, acceptedSeconds, started,
                        Double.isNaN(running) ? done : running, peakKb, cpuSeconds(dynalite) - dynaliteCpu0,
                        cpuSeconds(process), ownCpuSeconds() - ownCpu0, threadGroups(threads0));
            }
            if (poll.statusCode() != 202) {
                throw new IllegalStateException("the job answered " + poll.statusCode() + ": " + poll.body());
            }
            if (Double.isNaN(running) && "RUNNING".equals(MAPPER.readTree(poll.body()).path("status").asText())) {
                running = seconds(t0);
            }
            if (seconds(t0) > JOB_TIMEOUT.toSeconds()) {
                throw new IllegalStateException("the job did not finish within " + JOB_TIMEOUT + ": " + poll.body());
            }
        }
    }

    /** Rows per split and keys found in more than one split, from the JSON Lines manifests as written. */
    private record Leakage(Map<String, Long> rows, long images, long patients, long contents,
            boolean matchesSummary) {

        static Leakage of(Path dir, JsonNode summary) throws IOException {
            Map<String, Integer> images = new HashMap<>();
            Map<String, Integer> patients = new HashMap<>();
            Map<String, Integer> contents = new HashMap<>();
            Map<String, Long> rows = new LinkedHashMap<>();
            boolean matches = true;
            for (int s = 0; s < SPLITS.size(); s++) {
                String split = SPLITS.get(s);
                int bit = 1 << s;
                long count = 0;
                try (BufferedReader in = Files.newBufferedReader(dir.resolve(split + ".jsonl"), StandardCharsets.UTF_8)) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        JsonNode row = MAPPER.readTree(line);
                        count++;
                        images.merge(row.path("source-ref").asText(), bit, (a, b) -> a | b);
                        if (row.hasNonNull("patient")) {
                            patients.merge(row.get("patient").asText(), bit, (a, b) -> a | b);
                        }
                        contents.merge(row.path("content").asText(), bit, (a, b) -> a | b);
                    }
                }
                rows.put(split, count);
            }
            for (int s = 0; s < SPLITS.size(); s++) {
                int bit = 1 << s;
                long distinct = images.values().stream().filter(m -> (m & bit) != 0).count();
                JsonNode expected = summary.path("splits").path(SPLITS.get(s));
                matches &= expected.path("rows").asLong() == rows.get(SPLITS.get(s))
                        && expected.path("images").asLong() == distinct;
            }
            return new Leakage(rows, several(images), several(patients), several(contents), matches);
        }

        private static long several(Map<String, Integer> masks) {
            return masks.values().stream().filter(m -> Integer.bitCount(m) > 1).count();
        }
    }

    /** check_manifests.py on the downloaded files: the CSV as pandas reads it, the JSON Lines as SageMaker does. */
    private static String checkManifests(Path dir) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("/usr/bin/python3", "src/test/python/check_manifests.py",
                dir.toString()));
        command.addAll(CLASSES);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("check_manifests.py failed: " + out);
        }
        return out;
    }

    /** The process's peak resident set (VmHWM), in KiB; 0 once it has exited. */
    private static long peakRssKb(ProcessHandle process) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            // exited
        }
        return 0;
    }

    private static Map<Long, Long> threadCpu() {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<Long, Long> cpu = new HashMap<>();
        for (long id : threads.getAllThreadIds()) {
            cpu.put(id, threads.getThreadCpuTime(id));
        }
        return cpu;
    }

    /** CPU seconds of this JVM's threads since {@code before}, by thread name without its numbers, largest first. */
    private static Map<String, Double> threadGroups(Map<Long, Long> before) {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Double> groups = new HashMap<>();
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null) {
                long now = threads.getThreadCpuTime(info.getThreadId());
                long delta = now - before.getOrDefault(info.getThreadId(), 0L);
                groups.merge(info.getThreadName().replaceAll("[0-9]+", "#"), delta / 1e9, Double::sum);
            }
        }
        Map<String, Double> top = new LinkedHashMap<>();
        groups.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(6)
                .forEach(e -> top.put(e.getKey(), Math.round(e.getValue() * 10) / 10.0));
        return top;
    }

    private static double cpuSeconds(ProcessHandle process) {
        return process.info().totalCpuDuration().map(d -> d.toMillis() / 1000.0).orElse(Double.NaN);
    }

    private static double ownCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    private static String loadAverage() throws IOException {
        String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
        return parts[0] + " " + parts[1] + " " + parts[2];
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
