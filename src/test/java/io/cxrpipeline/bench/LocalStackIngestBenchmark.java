package io.cxrpipeline.bench;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cxrpipeline.local.LocalClients;
import io.cxrpipeline.local.LocalStack;
import io.cxrpipeline.local.sample.SampleData;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Indexing through the whole local stack: N synthetic X-rays uploaded through the S3 API, each S3 event delivered
 * to the index-objects function in its own JVM, until the index has them all. The baseline, in the same run, is
 * the same uploads to a prefix without notifications: what S3 alone costs. Handler time per object comes from
 * the function's own log lines.
 *
 * <pre>
 * ./mvnw -q -B package -DskipTests
 * ./mvnw -q -B test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.cxrpipeline.bench.LocalStackIngestBenchmark -Dexec.args="5000"
 * </pre>
 */
public final class LocalStackIngestBenchmark {

    private LocalStackIngestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        Path work = Files.createTempDirectory("cxr-bench-stack");
        Path images = work.resolve("sample");
        long t0 = System.nanoTime();
        // Small images keep generation and disk use modest; the index reads only headers either way.
        SampleData.main(new String[] {"--out", images.toString(), "--count", Integer.toString(count),
            "--min-size", "600", "--max-size", "1000", "--quality", "80"});
        System.out.printf(Locale.ROOT, "generated %d images in %.1f s%n", count, (System.nanoTime() - t0) / 1e9);

        LocalStack.Settings settings = new LocalStack.Settings(Path.of("").toAbsolutePath(), work.resolve("stack"),
                "cxr-bench", "cxr-bench", 0, 0, 0, 0, "/usr/bin/python3");
        try (LocalStack stack = LocalStack.start(settings);
                S3Client s3 = LocalClients.s3(URI.create(stack.s3Endpoint()))) {
            Path root = images.resolve("chest_xray");
            // Baseline: the same bytes to a prefix that triggers nothing.
            long start = System.nanoTime();
            int count0 = LocalClients.putTree(s3, "cxr-bench", root, "baseline/chest_xray/", 8);
            double baseline = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "baseline: %d uploads without notifications in %.1f s (%.0f objects/s)%n",
                    count0, baseline, count0 / baseline);

            start = System.nanoTime();
            int uploadedCount = LocalClients.putTree(s3, "cxr-bench", root, "images/chest_xray/", 8);
            double uploaded = (System.nanoTime() - start) / 1e9;
            while (stack.pendingIndexEvents() > 0) {
                Thread.sleep(100);
            }
            double total = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "indexed:  %d uploads in %.1f s, all indexed after %.1f s (%.0f images/s end to end)%n",
                    uploadedCount, uploaded, total, uploadedCount / total);

            ObjectMapper mapper = new ObjectMapper();
            long objects = 0;
            long handlerMs = 0;
            long bytesRead = 0;
            for (String line : Files.readAllLines(settings.dataDir().resolve("logs/index-objects.log"))) {
                if (line.startsWith("{") && line.contains("\"outcome\"")) {
                    JsonNode n = mapper.readTree(line);
                    objects++;
                    handlerMs += n.path("durationMs").asLong();
                    bytesRead += n.path("bytesRead").asLong();
                }
            }
            System.out.printf(Locale.ROOT,
                    "per object: %.2f ms in index-objects (header GETs + conditional writes, from its log, %d lines), "
                            + "%.0f bytes read of %.0f stored; %.2f ms end-to-end wall per image%n",
                    (double) handlerMs / Math.max(1, objects), objects, (double) bytesRead / Math.max(1, objects),
                    (double) dirSize(root) / uploadedCount, total * 1000 / uploadedCount);
            System.out.printf(Locale.ROOT, "ratio: end-to-end indexing takes %.2fx the time of the bare uploads%n",
                    total / baseline);
        }
    }

    private static long dirSize(Path root) throws Exception {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
