package io.cxrpipeline.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the cold-start options do to the packaged {@code predict}: the handler in a fresh JVM (Quarkus boot, model load
 * at start-up, first event, as {@link InferenceBenchmark}'s Lambda cold start), per model, in alternating rounds of
 * four variants: the model file read whole by ONNX Runtime ({@code cxr.inference.split-weights=false}); written as graph
 * and weights apart first (the default); and each again with an application class-data sharing (AppCDS) archive
 * written by a first run ({@code -XX:ArchiveClassesAtExit}, then {@code -XX:SharedArchiveFile}). Reports the median
 * time from JVM start to the first response.
 *
 * <pre>
 * ./mvnw -q -B package -DskipTests
 * ./mvnw -q -B test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.cxrpipeline.bench.PredictColdStartBenchmark \
 *     -Dexec.args="target/models/vgg16-int8.onnx target/models/vgg16-fp32.onnx"
 * </pre>
 */
public final class PredictColdStartBenchmark {

    private static final int ROUNDS = Integer.getInteger("bench.rounds", 5);

    private PredictColdStartBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path runner = Path.of("target/cxr-pipeline-1.0.0-SNAPSHOT-runner.jar");
        if (!Files.exists(runner)) {
            throw new IllegalStateException("package the function first: ./mvnw -B package -DskipTests");
        }
        Path event = InferenceBenchmark.coldStartEvent(
                Files.readAllBytes(Path.of("src/test/resources/models/xray-gray.jpg")));
        Path archive = Path.of("target/predict-appcds.jsa").toAbsolutePath();
        Files.deleteIfExists(archive);
        // CDS takes jars only on the class path (a non-empty directory stops the JVM), as function.zip has.
        Path classes = jar(Path.of("target/test-classes"), Path.of("target/bench-classes.jar"));
        // The archive holds the classes one cold start loads; it must be written with the same JDK and class path.
        InferenceBenchmark.handlerColdStart(runner, classes, event, Path.of(args[0]),
                List.of("-XX:ArchiveClassesAtExit=" + archive));
        System.out.printf(Locale.ROOT, "archive %s: %.1f MB, %s; load average %s%n", archive.getFileName(),
                Files.size(archive) / 1e6, System.getProperty("java.vm.version"), InferenceBenchmark.load());
        Map<String, List<String>> variants = new LinkedHashMap<>();
        variants.put("model read whole (before)", List.of("-Dcxr.inference.split-weights=false"));
        variants.put("graph and weights apart (default)", List.of());
        variants.put("model read whole, AppCDS", List.of("-Dcxr.inference.split-weights=false",
                "-XX:SharedArchiveFile=" + archive));
        variants.put("graph and weights apart, AppCDS", List.of("-XX:SharedArchiveFile=" + archive));
        for (String m : args) {
            Path model = Path.of(m);
            Map<String, List<Double>> firsts = new LinkedHashMap<>();
            for (int r = 0; r < ROUNDS; r++) {
                for (Map.Entry<String, List<String>> v : variants.entrySet()) {
                    firsts.computeIfAbsent(v.getKey(), k -> new ArrayList<>())
                            .add(first(InferenceBenchmark.handlerColdStart(runner, classes, event, model, v.getValue())));
                }
            }
            double before = median(firsts.values().iterator().next());
            System.out.printf(Locale.ROOT, "%s, first response after JVM start, median of %d alternating rounds "
                    + "(load average now %s):%n", model.getFileName(), ROUNDS, InferenceBenchmark.load());
            for (Map.Entry<String, List<Double>> f : firsts.entrySet()) {
                double t = median(f.getValue());
                System.out.printf(Locale.ROOT, "  %-36s %7.0f ms  %.2fx%n", f.getKey(), t, t / before);
            }
        }
    }

    /** The class files under {@code dir} as a jar (resources left out: the cold start reads none of them). */
    private static Path jar(Path dir, Path target) throws Exception {
        try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(target));
                java.util.stream.Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
                out.putNextEntry(new java.util.jar.JarEntry(dir.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        return target;
    }

    private static double first(Map<String, String> fields) {
        if (!"200".equals(fields.get("status"))) {
            throw new IllegalStateException("the cold start's first response was not 200: " + fields);
        }
        return Double.parseDouble(fields.get("first"));
    }

    private static double median(List<Double> values) {
        List<Double> s = new ArrayList<>(values);
        s.sort(null);
        return s.get(s.size() / 2);
    }
}
