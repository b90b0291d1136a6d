package io.cxrpipeline.inference;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

import ai.onnxruntime.OrtException;
import io.cxrpipeline.common.InfrastructureException;
import io.cxrpipeline.common.InvalidInputException;
import io.cxrpipeline.common.NotFoundException;
import io.cxrpipeline.common.TooLargeException;

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

    /** Any model's preprocessing: a decode at this size reads the whole image, which is all the check needs. */
    private static final Preprocessing DECODE_CHECK = Preprocessing.resolve(java.util.Map.of(),
            Preset.TORCHVISION_VGG16, List.of("NORMAL", "PNEUMONIA"), 0.5, new long[] {1, 3, 224, 224},
            new long[] {1, 2});

    private final ModelProvider models;
    private final BucketObjects store;
    private final PredictionTranslator translator;
    private final ImagePreprocessor preprocessor;
    private final Limits limits;
    /** One input buffer per thread, grown on demand: direct memory is costly to allocate per request. */
    private final ThreadLocal<FloatBuffer> buffers = new ThreadLocal<>();

    public PredictionService(ModelProvider models, BucketObjects store, ImagePreprocessor preprocessor, Limits limits) {
        this.models = models;
        this.store = store;
        this.translator = new PredictionTranslator(preprocessor);
        this.preprocessor = preprocessor;
        this.limits = limits;
    }

    public Limits limits() {
        return limits;
    }

    /**
     * Refuses a batch that is empty or larger than allowed; the edge calls it before decoding anything.
     *
     * @throws InvalidInputException naming {@code images}
     */
    public void checkBatchSize(int n) {
        if (n == 0) {
            throw new InvalidInputException("images", "no image given");
        }
        if (n > limits.maxBatch()) {
            throw new InvalidInputException("images", n + " images given; at most " + limits.maxBatch()
                    + " per request");
        }
    }

    /**
     * Predicts every image, in order: read and check every header, then lease the model, preprocess, run the
     * batch once, and postprocess.
     *
     * @throws InvalidInputException for a bad image or reference (naming its field)
     * @throws NotFoundException     for a missing object
     * @throws TooLargeException     for an oversized object
     * @throws ModelUnavailableException when no model can be served
     * @throws InfrastructureException   when storage is down
     */
    public PredictionResult predict(List<ImageInput> inputs) {
        long start = System.nanoTime();
        checkBatchSize(inputs.size());
        int n = inputs.size();
        byte[][] bytes = new byte[n][];
        ImageHeader[] headers = new ImageHeader[n];
        List<String> fields = new ArrayList<>(n);
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
            fields.add(in.field());
        }

        try (ModelLease lease = lease(fields, bytes, headers)) {
            OnnxModel model = lease.model();
            Preprocessing p = model.preprocessing();
            PredictionTranslator.Input input = translator.processInput(fields, bytes, headers, p,
                    buffer(n * p.tensorSize()));
            long t = System.nanoTime();
            float[][] outputs = model.run(input.tensor(), n);
            long inference = System.nanoTime() - t;
            List<ImagePrediction> predictions = translator.processOutput(outputs, input, headers, p, inference);
            Timings total = new Timings(fetched ? Timings.ms(fetchNanos) : null, Timings.ms(sum(input.decodeNanos())),
                    Timings.ms(sum(input.preprocessNanos())), Timings.ms(inference),
                    Timings.ms(System.nanoTime() - start));
            return new PredictionResult(model.version(), p.threshold(), predictions, total);
        } catch (OrtException e) {
            throw new IllegalStateException("inference failed", e);
        }
    }

    /** The output of an exported model that holds the per-class Grad-CAM maps ({@code cxr.explain}). */
    public static final String GRADCAM_OUTPUT = "gradcam";

    /**
     * Predicts one image and explains the decision with the Grad-CAM map of the predicted class, computed by the
     * model's own graph.
     *
     * @throws InvalidInputException (field {@code explain}) when the served model has no Grad-CAM output; the other
     *                               failures as {@link #predict(List)}
     */
    public ExplainResponse explain(ImageInput in) {
        long start = System.nanoTime();
        long fetchNanos = 0;
        byte[] bytes;
        if (in instanceof ImageInput.Stored stored) {
            bytes = fetch(stored);
            fetchNanos = System.nanoTime() - start;
        } else {
            bytes = ((ImageInput.Inline) in).bytes();
        }
        ImageHeader[] headers = {header(in.field(), bytes)};
        try (ModelLease lease = models.lease()) {
            OnnxModel model = lease.model();
            if (!model.hasOutput(GRADCAM_OUTPUT)) {
                throw new InvalidInputException("explain", "the served model " + model.version() + " has no Grad-CAM "
                        + "output ('" + GRADCAM_OUTPUT + "'): it was exported without explanations; predict without "
                        + "explain, or serve a model the training program exported");
            }
            Preprocessing p = model.preprocessing();
            PredictionTranslator.Input input = translator.processInput(List.of(in.field()), new byte[][] {bytes},
                    headers, p, buffer(p.tensorSize()));
            long t = System.nanoTime();
            OnnxModel.Explained out = model.explain(input.tensor(), GRADCAM_OUTPUT);
            long inference = System.nanoTime() - t;
            ImagePrediction prediction = translator.processOutput(new float[][] {out.output()}, input, headers, p,
                    inference).get(0);
            int cls = p.classNames().indexOf(prediction.label());
            float[][] grid = out.maps()[cls];
            Explanation explanation = new Explanation("grad-cam", prediction.label(), grid,
                    GradCamOverlay.png(input.tensor(), p, grid));
            Timings total = new Timings(in instanceof ImageInput.Stored ? Timings.ms(fetchNanos) : null,
                    Timings.ms(input.decodeNanos()[0]), Timings.ms(input.preprocessNanos()[0]), Timings.ms(inference),
                    Timings.ms(System.nanoTime() - start));
            return new ExplainResponse(prediction.label(), prediction.probabilities(), p.threshold(), model.version(),
                    prediction.image(), total, explanation);
        } catch (OrtException e) {
            throw new IllegalStateException("inference failed", e);
        }
    }

    /**
     * The model, or the first image that cannot be decoded: a permanently bad image is a 400 whatever the model's
     * state. With a model, the decode happens once, at the model's size; without one, every image is decoded here
     * before the 503.
     */
    private ModelLease lease(List<String> fields, byte[][] bytes, ImageHeader[] headers) {
        try {
            return models.lease();
        } catch (ModelUnavailableException e) {
            for (int i = 0; i < bytes.length; i++) {
                try {
                    preprocessor.decode(bytes[i], headers[i], DECODE_CHECK);
                } catch (InvalidImageException bad) {
                    throw new InvalidInputException(fields.get(i), bad.getMessage(), bad);
                }
            }
            throw e;
        }
    }

    private static long sum(long[] values) {
        long s = 0;
        for (long v : values) {
            s += v;
        }
        return s;
    }

    private byte[] fetch(ImageInput.Stored stored) {
        S3Location location;
        try {
            location = S3Location.parse(stored.s3Uri());
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(stored.field(), "'" + stored.s3Uri() + "' is " + e.getMessage());
        }
        if (!location.bucket().equals(limits.bucket())) {
            throw new InvalidInputException(stored.field(), "only objects in s3://" + limits.bucket()
                    + "/ can be read, not in bucket " + location.bucket());
        }
        String refusal = InputKeys.refusal(location.key(), limits.inputPrefixes());
        if (refusal != null) {
            throw new InvalidInputException(stored.field(), refusal);
        }
        try {
            return store.read(location, limits.maxObjectBytes());
        } catch (ObjectNotFoundException e) {
            throw new NotFoundException(stored.field(), "no image at " + location);
        } catch (ObjectTooLargeException e) {
            throw new TooLargeException(stored.field(), location + " is " + e.size() + " bytes; at most "
                    + limits.maxObjectBytes() + " are read");
        }
    }

    private ImageHeader header(String field, byte[] bytes) {
        ImageHeader h;
        try {
            h = ImageHeader.read(bytes);
        } catch (InvalidImageException e) {
            throw new InvalidInputException(field, e.getMessage());
        }
        if (h.pixels() > limits.maxPixels()) {
            throw new InvalidInputException(field, "the image is " + h.width() + "x" + h.height() + " = " + h.pixels()
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
}
