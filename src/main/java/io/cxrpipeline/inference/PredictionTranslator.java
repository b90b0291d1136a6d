package io.cxrpipeline.inference;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.cxrpipeline.common.InvalidInputException;

/**
 * The pre- and post-processing around the model, both driven by the model's {@link Preprocessing}: images in
 * (decoded and normalised into the input tensor), predictions out (probabilities, thresholded label).
 */
final class PredictionTranslator {

    /** What preprocessing produced: the tensor, filled, and per-image decode and preprocess times. */
    record Input(FloatBuffer tensor, int n, long[] decodeNanos, long[] preprocessNanos) {
    }

    private final ImagePreprocessor preprocessor;

    PredictionTranslator(ImagePreprocessor preprocessor) {
        this.preprocessor = preprocessor;
    }

    /**
     * Decodes each image into its slice of {@code tensor}. Images of a batch decode in parallel; one image stays
     * on the calling thread.
     *
     * @throws InvalidInputException for the first image, in input order, that cannot be decoded, naming its field
     */
    Input processInput(List<String> fields, byte[][] bytes, ImageHeader[] headers, Preprocessing p,
            FloatBuffer tensor) {
        int n = bytes.length;
        long[] decode = new long[n];
        long[] prep = new long[n];
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
            preprocessor.write(planes, headers[i].width(), headers[i].height(), p, tensor, i);
            decode[i] = t1 - t0;
            prep[i] = System.nanoTime() - t1;
        });
        for (int i = 0; i < n; i++) {
            if (failed[i] != null) {
                throw new InvalidInputException(fields.get(i), failed[i].getMessage(), failed[i]);
            }
        }
        return new Input(tensor, n, decode, prep);
    }

    /** Turns the model's rows (logits or probabilities) into predictions, one per image. */
    List<ImagePrediction> processOutput(float[][] outputs, Input input, ImageHeader[] headers, Preprocessing p,
            long inferenceNanos) {
        List<ImagePrediction> predictions = new ArrayList<>(input.n());
        for (int i = 0; i < input.n(); i++) {
            double[] probs = probabilities(outputs[i], p);
            Map<String, Double> byClass = new LinkedHashMap<>();
            for (int c = 0; c < probs.length; c++) {
                byClass.put(p.classNames().get(c), probs[c]);
            }
            predictions.add(new ImagePrediction(p.classNames().get(decide(probs, p.threshold())), byClass,
                    headers[i], new Timings(null, Timings.ms(input.decodeNanos()[i]),
                            Timings.ms(input.preprocessNanos()[i]), Timings.ms(inferenceNanos / input.n()), null)));
        }
        return predictions;
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

    /**
     * The calibrated class probabilities of one output row: softmax(logits / temperature); a model that emits
     * probabilities is calibrated on their logarithms (the same thing: softmax(log p) = p).
     */
    static double[] probabilities(float[] row, Preprocessing p) {
        double t = p.temperature();
        if (p.output() == Preprocessing.Output.LOGITS) {
            return t == 1.0 ? softmax(row) : softmax(row, t);
        }
        if (t == 1.0) {
            return toDouble(row);
        }
        float[] logs = new float[row.length];
        for (int i = 0; i < row.length; i++) {
            logs[i] = (float) Math.log(Math.max(row[i], Float.MIN_VALUE));
        }
        return softmax(logs, t);
    }

    static double[] softmax(float[] logits) {
        return softmax(logits, 1.0);
    }

    static double[] softmax(float[] logits, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp((logits[i] - max) / temperature);
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
