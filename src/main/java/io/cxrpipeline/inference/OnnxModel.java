package io.cxrpipeline.inference;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;

import org.jboss.logging.Logger;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

/**
 * A loaded model: one ONNX Runtime session with its signature and {@link Preprocessing}. Requests share it
 * ({@link OrtSession#run} is thread-safe); it is reference-counted so that a model replaced by a new promotion
 * is closed only when its last request is done.
 */
public final class OnnxModel implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(OnnxModel.class);

    /**
     * How sessions are created and how metadata gaps are filled.
     *
     * @param threads        intra-op threads (the vCPUs)
     * @param preset         defaults for a model without {@code cxr.*} metadata
     * @param classNames     class names when the metadata has none
     * @param threshold      decision threshold when the metadata has none
     * @param weightsDir     where a model read from a file is first written as graph and weights apart
     *                       ({@link OnnxWeights}), which ONNX Runtime maps rather than parses; null reads the file whole
     */
    public record Options(int threads, Preset preset, List<String> classNames, double threshold, Path weightsDir) {

        /** Reading model files whole. */
        public Options(int threads, Preset preset, List<String> classNames, double threshold) {
            this(threads, preset, classNames, threshold, null);
        }
    }

    private final OrtEnvironment env;
    private final OrtSession session;
    private final String version;
    private final String uri;
    private final String inputName;
    private final String outputName;
    private final long[] inputShape;
    private final long[] outputShape;
    private final Preprocessing preprocessing;
    private long loadMillis;
    private final AtomicInteger refs = new AtomicInteger(1);

    private OnnxModel(OrtEnvironment env, OrtSession session, String version, String uri, String inputName,
            String outputName, long[] inputShape, long[] outputShape, Preprocessing preprocessing) {
        this.env = env;
        this.session = session;
        this.version = version;
        this.uri = uri;
        this.inputName = inputName;
        this.outputName = outputName;
        this.inputShape = inputShape;
        this.outputShape = outputShape;
        this.preprocessing = preprocessing;
    }

    /**
     * Creates the session, reads the signature and metadata, and runs it once on zeros (so a broken model fails
     * here rather than on a request, and the first request does not pay for lazy allocations).
     *
     * @throws IllegalArgumentException when the model is not an image classifier this service can feed
     * @throws OrtException             when ONNX Runtime cannot load or run it
     */
    public static OnnxModel load(Path file, String version, String uri, Options options) throws OrtException {
        Path dir = options.weightsDir() == null ? null : apart(file, options.weightsDir());
        if (dir == null) {
            return load((env, so) -> env.createSession(file.toString(), so), version, uri, options);
        }
        try {
            return load((env, so) -> env.createSession(dir.resolve(GRAPH_FILE).toString(), so), version, uri, options);
        } finally {
            // The session maps the weights: unlinking the files keeps the mapping, and frees the space when it closes.
            removeApart(dir);
        }
    }

    private static final String GRAPH_FILE = "graph.onnx";
    private static final String WEIGHTS_FILE = "weights.bin";

    /**
     * Writes the model file as graph and weights apart into a new directory under {@code parent}; null (and the model
     * is read whole) when it has no large weights, cannot be split, or does not fit.
     */
    private static Path apart(Path file, Path parent) {
        Path dir = null;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            Files.createDirectories(parent);
            if (size > Integer.MAX_VALUE - 8 || Files.getFileStore(parent).getUsableSpace() < size + (64L << 20)) {
                LOG.infof("model %s read whole: %d MB do not fit apart in %s", file, size >> 20, parent);
                return null;
            }
            dir = Files.createTempDirectory(parent, "load-");
            ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
            try {
                long start = System.nanoTime();
                byte[] graph = OnnxWeights.writeWeights(mapped, dir.resolve(WEIGHTS_FILE));
                Files.write(dir.resolve(GRAPH_FILE), graph);
                LOG.infof("model %s written as graph (%d kB) and weights (%d MB) in %d ms", file, graph.length >> 10,
                        Files.size(dir.resolve(WEIGHTS_FILE)) >> 20, (System.nanoTime() - start) / 1_000_000);
                return dir;
            } finally {
                DirectMemory.free(mapped);
            }
        } catch (IOException | IllegalArgumentException e) {
            LOG.infof("model %s read whole: %s", file, e.getMessage());
            if (dir != null) {
                removeApart(dir);
            }
            return null;
        }
    }

    /** Deletes a directory written by {@link #apart}: its graph, its weights, itself. */
    private static void removeApart(Path dir) {
        for (Path path : List.of(dir.resolve(GRAPH_FILE), dir.resolve(WEIGHTS_FILE), dir)) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                LOG.debugf("cannot delete %s: %s", path, e.getMessage());
            }
        }
    }

    /**
     * As {@link #load(Path, String, String, Options)}, from the model's bytes in a direct buffer (no file needed;
     * ONNX Runtime reads the buffer without copying it, and keeps no reference to it once the session exists).
     */
    public static OnnxModel load(ByteBuffer model, String version, String uri, Options options) throws OrtException {
        return load((env, so) -> env.createSession(model, so), version, uri, options);
    }

    /** Opens a session on a model file or on model bytes. */
    private interface SessionSource {
        OrtSession open(OrtEnvironment env, OrtSession.SessionOptions options) throws OrtException;
    }

    /**
     * ONNX Runtime's first use in a process and a session on a large model overflow the default Java thread stack
     * (1 MB): fp32 VGG16 (537 MB) crashed the JVM with SIGSEGV on threads of up to 4 MB, on the Lambda handler's
     * thread as on a request thread. Loading runs on a thread of its own with a larger stack.
     */
    private static final long LOAD_STACK_BYTES = 64L << 20;

    private static OnnxModel load(SessionSource source, String version, String uri, Options options)
            throws OrtException {
        FutureTask<OnnxModel> task = new FutureTask<>(() -> loadNow(source, version, uri, options));
        new Thread(null, task, "onnx-load", LOAD_STACK_BYTES).start();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the load goes on: wait for it rather than leak its session
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof OrtException o) {
                        throw o;
                    } else if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    } else if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static OnnxModel loadNow(SessionSource source, String version, String uri, Options options)
            throws OrtException {
        long start = System.nanoTime();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session;
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            so.setIntraOpNumThreads(Math.max(1, options.threads()));
            so.setInterOpNumThreads(1);
            session = source.open(env, so);
        }
        try {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            if (inputs.size() != 1) {
                throw new IllegalArgumentException("the model has " + inputs.size() + " inputs " + inputs.keySet()
                        + "; an image classifier has one");
            }
            NodeInfo in = inputs.values().iterator().next();
            if (!(in.getInfo() instanceof TensorInfo inInfo) || inInfo.type != OnnxJavaType.FLOAT) {
                throw new IllegalArgumentException("the model input " + in.getName() + " is " + in.getInfo()
                        + "; a float tensor is served");
            }
            NodeInfo out = session.getOutputInfo().values().iterator().next();
            if (!(out.getInfo() instanceof TensorInfo outInfo) || outInfo.type != OnnxJavaType.FLOAT) {
                throw new IllegalArgumentException("the model output " + out.getName() + " is " + out.getInfo()
                        + "; a float tensor is served");
            }
            Map<String, String> metadata = session.getMetadata().getCustomMetadata();
            Preprocessing p = Preprocessing.resolve(metadata, options.preset(), options.classNames(),
                    options.threshold(), inInfo.getShape(), outInfo.getShape());
            OnnxModel model = new OnnxModel(env, session, version, uri, in.getName(), out.getName(),
                    inInfo.getShape(), outInfo.getShape(), p);
            model.run(allocate(p.tensorSize()), 1);
            model.loadMillis = (System.nanoTime() - start) / 1_000_000;
            return model;
        } catch (RuntimeException | OrtException e) {
            session.close();
            throw e;
        }
    }

    /** A direct, native-order buffer for {@code floats} floats: ONNX Runtime reads it without a copy. */
    public static FloatBuffer allocate(int floats) {
        return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /**
     * Runs the model on the first {@code n} images of the buffer (each {@link Preprocessing#tensorSize()} floats,
     * from position 0) and returns the raw output rows.
     */
    public float[][] run(FloatBuffer input, int n) throws OrtException {
        int per = preprocessing.tensorSize();
        if (inputShape[0] > 0 && inputShape[0] != n) {
            if (inputShape[0] != 1) {
                throw new IllegalStateException("the model takes batches of exactly " + inputShape[0]);
            }
            float[][] rows = new float[n][];
            for (int i = 0; i < n; i++) {
                rows[i] = runBatch(slice(input, i * per, per), 1)[0];
            }
            return rows;
        }
        return runBatch(slice(input, 0, n * per), n);
    }

    private float[][] runBatch(FloatBuffer data, int n) throws OrtException {
        int s = preprocessing.size();
        int c = preprocessing.channels();
        long[] shape = preprocessing.layout() == Preprocessing.Layout.NCHW ? new long[] {n, c, s, s}
                : new long[] {n, s, s, c};
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, data, shape);
                OrtSession.Result result = session.run(Map.of(inputName, tensor), Set.of(outputName))) {
            OnnxValue value = result.get(0);
            FloatBuffer out = ((OnnxTensor) value).getFloatBuffer();
            int classes = out.remaining() / n;
            float[][] rows = new float[n][classes];
            for (int i = 0; i < n; i++) {
                out.get(rows[i]);
            }
            return rows;
        }
    }

    /** Whether the model has an output of this name (the Grad-CAM maps of {@code cxr.explain}, say). */
    public boolean hasOutput(String name) {
        try {
            return session.getOutputNames().contains(name);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Runs the model on one image (the first {@link Preprocessing#tensorSize()} floats of the buffer) and returns
     * its main output row and the named 4-d output ([1, classes, h, w]) as classes x h x w.
     */
    public Explained explain(FloatBuffer input, String mapsOutput) throws OrtException {
        int s = preprocessing.size();
        int c = preprocessing.channels();
        long[] shape = preprocessing.layout() == Preprocessing.Layout.NCHW ? new long[] {1, c, s, s}
                : new long[] {1, s, s, c};
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, slice(input, 0, preprocessing.tensorSize()), shape);
                OrtSession.Result result = session.run(Map.of(inputName, tensor), Set.of(outputName, mapsOutput))) {
            float[][] row = (float[][]) result.get(outputName).orElseThrow().getValue();
            float[][][][] maps = (float[][][][]) result.get(mapsOutput).orElseThrow().getValue();
            return new Explained(row[0], maps[0]);
        }
    }

    /** One image's output row and its per-class maps. */
    public record Explained(float[] output, float[][][] maps) {
    }

    private static FloatBuffer slice(FloatBuffer buffer, int from, int length) {
        FloatBuffer d = buffer.duplicate();
        d.limit(from + length).position(from);
        return d.slice();
    }

    /** Takes a reference for one request; false when the model was already closed (look again). */
    public boolean retain() {
        while (true) {
            int n = refs.get();
            if (n <= 0) {
                return false;
            }
            if (refs.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Gives back a reference; the last one closes the session. */
    public void release() {
        if (refs.decrementAndGet() == 0) {
            try {
                session.close();
            } catch (OrtException e) {
                throw new IllegalStateException("cannot close the session of model " + version, e);
            }
        }
    }

    /** Drops the owner's reference: the session closes once no request uses it. */
    @Override
    public void close() {
        release();
    }

    public String version() {
        return version;
    }

    /** Where the model came from ({@code s3://…} or a file path). */
    public String uri() {
        return uri;
    }

    public Preprocessing preprocessing() {
        return preprocessing;
    }

    public String inputName() {
        return inputName;
    }

    public String outputName() {
        return outputName;
    }

    /** The input's shape as the model declares it; -1 marks a symbolic dimension (the batch). */
    public long[] inputShape() {
        return inputShape.clone();
    }

    public long[] outputShape() {
        return outputShape.clone();
    }

    /** Session creation plus the warm-up run, in milliseconds. */
    public long loadMillis() {
        return loadMillis;
    }

    /** The underlying session, for measurements that bypass the service. */
    public OrtSession session() {
        return session;
    }

    @Override
    public String toString() {
        return "model " + version + " (" + uri + ", input " + inputName + Arrays.toString(inputShape) + ", output "
                + outputName + Arrays.toString(outputShape) + ")";
    }
}
