package io.cxrpipeline.inference;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import ai.onnxruntime.OrtException;
import io.cxrpipeline.common.ApiException;

/**
 * Predicts classes of chest X-rays: checks every image from its header (format, dimensions) before decoding
 * anything, decodes and preprocesses each one straight into the model's input buffer, runs the batch once,
 * and turns the outputs into probabilities and a thresholded label.
 */
public final class PredictionService {

    /**
     * @param bucket         the only bucket {@code s3Uri} may name
     * @param maxPixels      largest width x height accepted
     * @param maxObjectBytes largest object read through {@code s3Uri}
     * @param maxBatch       most images per request
     * @param inputPrefixes  the key prefixes {@code s3Uri} may name ({@link InputKeys})
     */
    public record Limits(String bucket, long maxPixels, long maxObjectBytes, int maxBatch, List<String> inputPrefixes) {

        /** Limits that let {@code s3Uri} name any key of the bucket. */
        public Limits(String bucket, long maxPixels, long maxObjectBytes, int maxBatch) {
            this(bucket, maxPixels, maxObjectBytes, maxBatch, InputKeys.ANY);
        }
    }

    private final ModelProvider models;
    private final ObjectStore store;
    private final ImagePreprocessor preprocessor;
    private final Limits limits;
    /** One input buffer per thread, grown on demand: direct memory is costly to allocate per request. */
    private final ThreadLocal<FloatBuffer> buffers = new ThreadLocal<>();

    public PredictionService(ModelProvider models, ObjectStore store, ImagePreprocessor preprocessor, Limits limits) {
        this.models = models;
        this.store = store;
        this.preprocessor = preprocessor;
        this.limits = limits;
    }

    public Limits limits() {
        return limits;
    }

    /**
     * Predicts every image, in order.
     *
     * @throws ApiException 400 for a bad image or reference (naming its field), 404 for a missing object,
     *                      413 for an oversized object, 503 when no model can be served or storage is down
     */
    public PredictionResult predict(List<ImageInput> inputs) {
        long start = System.nanoTime();
        if (inputs.isEmpty()) {
            throw ApiException.badRequest("images", "no image given");
        }
        if (inputs.size() > limits.maxBatch()) {
            throw ApiException.badRequest("images", inputs.size() + " images given; at most " + limits.maxBatch()
                    + " per request");
        }
        int n = inputs.size();
        byte[][] bytes = new byte[n][];
        ImageHeader[] headers = new ImageHeader[n];
        long fetchNanos = 0;
        boolean fetched = false;
        for (int i = 0; i < n; i++) {
            ImageInput in = inputs.get(i);
            if (in instanceof ImageInput.Stored stored) {
                long t = System.nanoTime();
                bytes[i] = fetch(stored);
                fetchNanos += System.nanoTime() - t;
                fetched = true;
            } else {
                bytes[i] = ((ImageInput.Inline) in).bytes();
            }
            headers[i] = header(in.field(), bytes[i]);
        }

        OnnxModel model;
        try {
            model = models.acquire();
        } catch (ModelUnavailableException e) {
            throw ApiException.unavailable(e.getMessage());
        }
        try {
            Preprocessing p = model.preprocessing();
            FloatBuffer buffer = buffer(n * p.tensorSize());
            long[] decode = new long[n];
            long[] prep = new long[n];
            // Images of a batch decode in parallel (each writes its own slice of the buffer); one image stays on
            // the calling thread. The first failing image, in input order, is the one reported.
            InvalidImageException[] failed = new InvalidImageException[n];
            IntStream range = IntStream.range(0, n);
            (n > 1 ? range.parallel() : range).forEach(i -> {
                long t0 = System.nanoTime();
                ImagePreprocessor.Planes planes;
                try {
                    planes = preprocessor.decode(bytes[i], headers[i], p);
                } catch (InvalidImageException e) {
                    failed[i] = e;
                    return;
                }
                long t1 = System.nanoTime();
                preprocessor.write(planes, headers[i].width(), headers[i].height(), p, buffer, i);
                decode[i] = t1 - t0;
                prep[i] = System.nanoTime() - t1;
            });
            for (int i = 0; i < n; i++) {
                if (failed[i] != null) {
                    throw ApiException.badRequest(inputs.get(i).field(), failed[i].getMessage());
                }
            }
            long t2 = System.nanoTime();
            float[][] outputs = model.run(buffer, n);
            long inference = System.nanoTime() - t2;

            List<ImagePrediction> predictions = new ArrayList<>(n);
            long decodeSum = 0;
            long prepSum = 0;
            for (int i = 0; i < n; i++) {
                double[] probs = p.output() == Preprocessing.Output.LOGITS ? softmax(outputs[i]) : toDouble(outputs[i]);
                Map<String, Double> byClass = new LinkedHashMap<>();
                for (int c = 0; c < probs.length; c++) {
                    byClass.put(p.classNames().get(c), probs[c]);
                }
                predictions.add(new ImagePrediction(p.classNames().get(decide(probs, p.threshold())), byClass,
                        headers[i], new Timings(null, Timings.ms(decode[i]), Timings.ms(prep[i]),
                                Timings.ms(inference / n), null)));
                decodeSum += decode[i];
                prepSum += prep[i];
            }
            Timings total = new Timings(fetched ? Timings.ms(fetchNanos) : null, Timings.ms(decodeSum),
                    Timings.ms(prepSum), Timings.ms(inference), Timings.ms(System.nanoTime() - start));
            return new PredictionResult(model.version(), p.threshold(), predictions, total);
        } catch (OrtException e) {
            throw new IllegalStateException("inference failed on " + model, e);
        } finally {
            model.release();
        }
    }

    private byte[] fetch(ImageInput.Stored stored) {
        S3Location location;
        try {
            location = S3Location.parse(stored.s3Uri());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(stored.field(), "'" + stored.s3Uri() + "' is " + e.getMessage());
        }
        if (!location.bucket().equals(limits.bucket())) {
            throw ApiException.badRequest(stored.field(), "only objects in s3://" + limits.bucket()
                    + "/ can be read, not in bucket " + location.bucket());
        }
        String refusal = InputKeys.refusal(location.key(), limits.inputPrefixes());
        if (refusal != null) {
            throw ApiException.badRequest(stored.field(), refusal);
        }
        try {
            return store.read(location, limits.maxObjectBytes());
        } catch (ObjectNotFoundException e) {
            throw new ApiException(404, "Not found", "no image at " + location, stored.field());
        } catch (ObjectTooLargeException e) {
            throw ApiException.tooLarge(stored.field(), location + " is " + e.size() + " bytes; at most "
                    + limits.maxObjectBytes() + " are read");
        } catch (StorageException e) {
            throw ApiException.unavailable("the image store cannot be read: " + e.getMessage());
        }
    }

    private ImageHeader header(String field, byte[] bytes) {
        ImageHeader h;
        try {
            h = ImageHeader.read(bytes);
        } catch (InvalidImageException e) {
            throw ApiException.badRequest(field, e.getMessage());
        }
        if (h.pixels() > limits.maxPixels()) {
            throw ApiException.badRequest(field, "the image is " + h.width() + "x" + h.height() + " = " + h.pixels()
                    + " pixels, over the limit of " + limits.maxPixels() + "; it was not decoded");
        }
        return h;
    }

    private FloatBuffer buffer(int floats) {
        FloatBuffer b = buffers.get();
        if (b == null || b.capacity() < floats) {
            b = OnnxModel.allocate(floats);
            buffers.set(b);
        }
        return b;
    }

    /**
     * The positive (last) class wins when its probability reaches the threshold; otherwise the most probable of
     * the others.
     */
    static int decide(double[] probs, double threshold) {
        int last = probs.length - 1;
        if (last == 0 || probs[last] >= threshold) {
            return last;
        }
        int best = 0;
        for (int c = 1; c < last; c++) {
            if (probs[c] > probs[best]) {
                best = c;
            }
        }
        return best;
    }

    static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private static double[] toDouble(float[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            d[i] = values[i];
        }
        return d;
    }
}
