package io.cxrpipeline.bench;

import io.cxrpipeline.inference.OnnxWeights;

import io.cxrpipeline.inference.DirectMemory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;

/**
 * What ONNX Runtime's session options and the place of the weights do to a model's load time (the part of predict's
 * cold start that is the session) and to the inference that follows, in one JVM: ONNX Runtime reading the file
 * whole, against bytes in memory (whole, or with the weights handed over as external initializers), the graph with
 * its weights read from the model file itself, the graph and page-aligned weights written apart (what predict does,
 * {@code OnnxWeights}), the basic and extended optimisation levels, prepacking switched off, a model optimised once
 * and saved (with or without its prepacked weights), and ONNX Runtime's own external-data copy. Each variant's
 * sessions are created in alternating rounds, so that all see the same machine; per variant: median session
 * creation, first run, and median of the runs after it, batch 1. {@code -Dbench.variants=1,5} keeps some.
 *
 * <pre>
 * /usr/bin/python3 src/test/python/make_test_models.py vgg16       # target/models/vgg16-{fp32,int8}.onnx
 * ./mvnw -q -B test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.cxrpipeline.bench.SessionOptionsBenchmark \
 *     -Dexec.args="target/models/vgg16-fp32.onnx target/models/vgg16-int8.onnx"
 * </pre>
 */
public final class SessionOptionsBenchmark {

    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final int RUNS = Integer.getInteger("bench.runs", 10);
    private static final int THREADS = Integer.getInteger("bench.threads", 2);

    private SessionOptionsBenchmark() {
    }

    /** How a session is opened. */
    private interface Variant {
        OrtSession open(OrtEnvironment env) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (String model : args) {
            Path file = Path.of(model);
            Path optimised = Files.createTempFile("cxr-optimised", ".onnx");
            // Written once with the serving options; a deployment would write it beside the model at training time.
            try (OrtSession.SessionOptions so = options(OptLevel.ALL_OPT)) {
                so.setOptimizedModelFilePath(optimised.toString());
                env.createSession(file.toString(), so).close();
            }
            // The same, with the weights and the prepacked weights in an external data file that the load maps.
            Path prepackedDir = Files.createTempDirectory("cxr-prepacked");
            Path prepacked = externalCopy(env, file, prepackedDir, OptLevel.ALL_OPT, true);
            // Not optimised (portable), only the weights moved to an external data file that the load maps.
            Path externalDir = Files.createTempDirectory("cxr-external");
            Path external = externalCopy(env, file, externalDir, OptLevel.NO_OPT, false);
            Map<String, Variant> variants = new LinkedHashMap<>();
            variants.put("all optimisations, from the file (ONNX Runtime alone)", e -> open(e, file, OptLevel.ALL_OPT, false));
            variants.put("all optimisations, from bytes in memory", e -> {
                try (OrtSession.SessionOptions so = options(OptLevel.ALL_OPT)) {
                    return e.createSession(Files.readAllBytes(file), so);
                }
            });
            variants.put("from bytes in memory, weights as external initializers", e -> {
                try (OrtSession.SessionOptions so = options(OptLevel.ALL_OPT)) {
                    ByteBuffer bytes = read(file);
                    Map<String, ai.onnxruntime.OnnxTensorLike> initializers = new LinkedHashMap<>();
                    try {
                        OnnxWeights.Split split = OnnxWeights.split(bytes);
                        for (OnnxWeights.Weight w : split.weights()) {
                            initializers.put(w.name(), ai.onnxruntime.OnnxTensor.createTensor(e,
                                    bytes.slice(w.offset(), w.length()), w.dims(), javaType(w.dataType())));
                        }
                        so.addExternalInitializers(initializers);
                        return e.createSession(split.graph(), so);
                    } finally {
                        for (ai.onnxruntime.OnnxTensorLike t : initializers.values()) {
                            t.close();
                        }
                        DirectMemory.free(bytes);
                    }
                }
            });
            variants.put("graph apart, weights mapped from the model file itself", e -> {
                try (OrtSession.SessionOptions so = options(OptLevel.ALL_OPT)) {
                    ByteBuffer bytes = read(file);
                    try {
                        byte[] graph = OnnxWeights.split(bytes, file.getFileName().toString())
                                .graph();
                        so.addConfigEntry("session.model_external_initializers_file_folder_path",
                                file.toAbsolutePath().getParent().toString());
                        return e.createSession(graph, so);
                    } finally {
                        DirectMemory.free(bytes);
                    }
                }
            });
            Path alignedDir = Files.createTempDirectory("cxr-aligned");
            // Converted once (timed apart): graph and weights file written from the mapped model file.
            Path graphFile = alignedDir.resolve("graph.onnx");
            long convertStart = System.nanoTime();
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
                ByteBuffer mapped = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, ch.size());
                Files.write(graphFile, OnnxWeights.writeWeights(mapped,
                        alignedDir.resolve("weights.bin")));
                DirectMemory.free(mapped);
            }
            double convertMs = (System.nanoTime() - convertStart) / 1e6;
            variants.put("graph and weights written apart, loaded from the graph (predict)", e -> {
                try (OrtSession.SessionOptions so = options(OptLevel.ALL_OPT)) {
                    return e.createSession(graphFile.toString(), so);
                }
            });
            variants.put("extended optimisations", e -> open(e, file, OptLevel.EXTENDED_OPT, false));
            variants.put("basic optimisations", e -> open(e, file, OptLevel.BASIC_OPT, false));
            variants.put("all optimisations, prepacking off", e -> open(e, file, OptLevel.ALL_OPT, true));
            variants.put("optimised once and saved, loaded without optimisations",
                    e -> open(e, optimised, OptLevel.NO_OPT, false));
            variants.put("optimised once with prepacked weights saved, mapped at load",
                    e -> open(e, prepacked, OptLevel.NO_OPT, false));
            variants.put("weights in an external file (not optimised), all optimisations at load",
                    e -> open(e, external, OptLevel.ALL_OPT, false));
            variants.put("weights in an external file, all optimisations at load, prepacking off",
                    e -> open(e, external, OptLevel.ALL_OPT, true));
            // -Dbench.variants=1,6,7 keeps those variants (numbered from 1 as listed; the first is the reference).
            String only = System.getProperty("bench.variants", "");
            if (!only.isBlank()) {
                List<String> names = new ArrayList<>(variants.keySet());
                List<String> keep = Arrays.stream(only.split(",")).map(i -> names.get(Integer.parseInt(i.trim()) - 1))
                        .toList();
                variants.keySet().retainAll(keep);
            }
            Map<String, List<double[]>> times = new LinkedHashMap<>();
            variants.keySet().forEach(k -> times.put(k, new ArrayList<>()));
            for (int round = 0; round < ROUNDS; round++) {
                for (Map.Entry<String, Variant> v : variants.entrySet()) {
                    times.get(v.getKey()).add(measure(env, v.getValue()));
                }
            }
            System.out.printf(Locale.ROOT, "%n%s (%.0f MB; optimised copy %.0f MB), %d rounds, %d runs each, %d threads%n",
                    model, Files.size(file) / 1e6, Files.size(optimised) / 1e6, ROUNDS, RUNS, THREADS);
            System.out.printf(Locale.ROOT, "%-58s %12s %12s %12s %10s%n", "variant", "session ms", "first run ms",
                    "run p50 ms", "vs today");
            double today = -1;
            for (Map.Entry<String, List<double[]>> t : times.entrySet()) {
                double session = median(t.getValue(), 0);
                double first = median(t.getValue(), 1);
                double run = median(t.getValue(), 2);
                if (today < 0) {
                    today = session + first;
                }
                System.out.printf(Locale.ROOT, "%-58s %12.0f %12.1f %12.1f %9.2fx%n", t.getKey(), session, first, run,
                        (session + first) / today);
            }
            Files.deleteIfExists(optimised);
            System.out.printf(Locale.ROOT, "writing the graph and weights apart took %.0f ms%n", convertMs);
            System.out.printf(Locale.ROOT, "prepacked copy: %.0f MB graph, %.0f MB data%n", Files.size(prepacked) / 1e6,
                    Files.size(prepackedDir.resolve("model.data")) / 1e6);
            try (var files = Files.list(prepackedDir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(prepackedDir);
            for (Path dir : List.of(externalDir, alignedDir)) {
                try (var files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        Files.delete(f);
                    }
                }
                Files.delete(dir);
            }
        }
    }

    /** ONNX Runtime's copy of the model at {@code level}, its weights in {@code dir}/model.data. */
    private static Path externalCopy(OrtEnvironment env, Path file, Path dir, OptLevel level, boolean prepacked)
            throws OrtException {
        Path copy = dir.resolve("model.onnx");
        try (OrtSession.SessionOptions so = options(level)) {
            so.setOptimizedModelFilePath(copy.toString());
            so.addConfigEntry("session.optimized_model_external_initializers_file_name", "model.data");
            so.addConfigEntry("session.optimized_model_external_initializers_min_size_in_bytes", "1024");
            if (prepacked) {
                so.addConfigEntry("session.save_external_prepacked_constant_initializers", "1");
            }
            env.createSession(file.toString(), so).close();
        }
        return copy;
    }

    private static ai.onnxruntime.OnnxJavaType javaType(int onnxType) {
        return switch (onnxType) {
            case 1 -> ai.onnxruntime.OnnxJavaType.FLOAT;
            case 2 -> ai.onnxruntime.OnnxJavaType.UINT8;
            case 3 -> ai.onnxruntime.OnnxJavaType.INT8;
            case 5 -> ai.onnxruntime.OnnxJavaType.INT16;
            case 6 -> ai.onnxruntime.OnnxJavaType.INT32;
            case 7 -> ai.onnxruntime.OnnxJavaType.INT64;
            default -> ai.onnxruntime.OnnxJavaType.DOUBLE;
        };
    }

    /** The file's bytes in a direct buffer, as predict reads a model from S3. */
    private static ByteBuffer read(Path file) throws java.io.IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            ByteBuffer b = ByteBuffer.allocateDirect((int) ch.size());
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // read on
            }
            return b.flip();
        }
    }

    private static OrtSession.SessionOptions options(OptLevel level) throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        so.setOptimizationLevel(level);
        so.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        so.setIntraOpNumThreads(THREADS);
        so.setInterOpNumThreads(1);
        return so;
    }

    private static OrtSession open(OrtEnvironment env, Path file, OptLevel level, boolean noPrepacking)
            throws OrtException {
        try (OrtSession.SessionOptions so = options(level)) {
            if (noPrepacking) {
                so.addConfigEntry("session.disable_prepacking", "1");
            }
            return env.createSession(file.toString(), so);
        }
    }

    /** Session creation, first run and median later run, in ms. */
    private static double[] measure(OrtEnvironment env, Variant variant) throws Exception {
        long t0 = System.nanoTime();
        try (OrtSession session = variant.open(env)) {
            double created = (System.nanoTime() - t0) / 1e6;
            String input = session.getInputNames().iterator().next();
            long[] shape = ((ai.onnxruntime.TensorInfo) session.getInputInfo().get(input).getInfo()).getShape().clone();
            shape[0] = 1;
            int floats = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            FloatBuffer data = ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
            for (int i = 0; i < floats; i++) {
                data.put(i, (float) Math.sin(i * 0.001));
            }
            double[] runs = new double[RUNS + 1];
            try (OnnxTensor tensor = OnnxTensor.createTensor(env, data, shape)) {
                for (int r = 0; r <= RUNS; r++) {
                    long t = System.nanoTime();
                    session.run(Map.of(input, tensor)).close();
                    runs[r] = (System.nanoTime() - t) / 1e6;
                }
            }
            double[] later = Arrays.copyOfRange(runs, 1, runs.length);
            Arrays.sort(later);
            return new double[] {created, runs[0], later[later.length / 2]};
        }
    }

    private static double median(List<double[]> samples, int column) {
        double[] v = samples.stream().mapToDouble(s -> s[column]).sorted().toArray();
        return v[v.length / 2];
    }
}
