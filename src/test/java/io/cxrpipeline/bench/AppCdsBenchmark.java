package io.cxrpipeline.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What application class-data sharing (AppCDS) does to the packaged {@code predict}'s cold start: the handler in a
 * fresh JVM (Quarkus boot, model load at start-up, first event, as {@link InferenceBenchmark}'s Lambda cold start),
 * once with a dynamic archive written by a first run ({@code -XX:ArchiveClassesAtExit}, then
 * {@code -XX:SharedArchiveFile}), once with the JDK's default archive only, alternating, per model. Reports the
 * median time from JVM start to the first response.
 *
 * <pre>
 * ./mvnw -q -B package -DskipTests
 * ./mvnw -q -B test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.cxrpipeline.bench.AppCdsBenchmark \
 *     -Dexec.args="target/models/vgg16-int8.onnx target/models/vgg16-fp32.onnx"
 * </pre>
 */
public final class AppCdsBenchmark {

    private static final int ROUNDS = Integer.getInteger("bench.rounds", 5);

    private AppCdsBenchmark() {
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
        System.out.printf(Locale.ROOT, "archive %s: %.1f MB, %s%n", archive.getFileName(), Files.size(archive) / 1e6,
                System.getProperty("java.vm.version"));
        for (String m : args) {
            Path model = Path.of(m);
            List<Double> plain = new ArrayList<>();
            List<Double> cds = new ArrayList<>();
            for (int r = 0; r < ROUNDS; r++) {
                plain.add(first(InferenceBenchmark.handlerColdStart(runner, classes, event, model, List.of())));
                cds.add(first(InferenceBenchmark.handlerColdStart(runner, classes, event, model,
                        List.of("-XX:SharedArchiveFile=" + archive))));
            }
            double p = median(plain);
            double c = median(cds);
            System.out.printf(Locale.ROOT, "%s: first response %.0f ms after JVM start without AppCDS, %.0f ms with it"
                    + " (median of %d alternating cold starts): %.2fx%n", model.getFileName(), p, c, ROUNDS, c / p);
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
