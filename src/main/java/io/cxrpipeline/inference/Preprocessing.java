package io.cxrpipeline.inference;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How an image becomes the model's input tensor and how its output becomes a decision, resolved from the
 * model's ONNX metadata ({@code cxr.*} keys written by the training job) over a {@link Preset}.
 *
 * @param size       input width and height in pixels
 * @param channels   1 (luminance) or 3 (RGB; grayscale images are replicated)
 * @param layout     NCHW or NHWC
 * @param scale      pixel byte multiplier, applied before mean and std
 * @param mean       per-channel mean subtracted after scaling
 * @param std        per-channel divisor after the mean
 * @param classNames output classes in order; the last is the positive class
 * @param threshold  the positive class wins when its probability is at least this
 * @param resize     {@link Resize#STRETCH} or {@link Resize#CENTER_CROP}
 * @param output     whether the model emits logits (softmax applied here) or probabilities
 * @param temperature the calibration temperature: probabilities are softmax(logits / temperature); 1 leaves
 *                    them as the model emits them
 */
public record Preprocessing(int size, int channels, Layout layout, float scale, float[] mean, float[] std,
        List<String> classNames, double threshold, Resize resize, Output output, double temperature) {

    /** Without calibration (temperature 1). */
    public Preprocessing(int size, int channels, Layout layout, float scale, float[] mean, float[] std,
            List<String> classNames, double threshold, Resize resize, Output output) {
        this(size, channels, layout, scale, mean, std, classNames, threshold, resize, output, 1.0);
    }

    /** Tensor layout of the image input. */
    public enum Layout { NCHW, NHWC }

    /** What the model's output holds. */
    public enum Output { LOGITS, PROBABILITIES }

    /**
     * The aspect policy. STRETCH is torchvision {@code Resize((s, s))}: both sides to s, aspect ignored.
     * CENTER_CROP is {@code Resize(s)} (shorter side to s) then {@code CenterCrop(s)}.
     */
    public enum Resize {
        STRETCH("stretch"), CENTER_CROP("center-crop");

        private final String id;

        Resize(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        static Resize of(String id) {
            String v = id.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            for (Resize r : values()) {
                if (r.id.equals(v) || (r == CENTER_CROP && v.equals("centre-crop"))) {
                    return r;
                }
            }
            throw new IllegalArgumentException("cxr.resize '" + id + "' is not one of stretch, center-crop");
        }
    }

    public static final String SIZE = "cxr.input_size";
    public static final String CHANNELS = "cxr.channels";
    public static final String LAYOUT = "cxr.layout";
    public static final String SCALE = "cxr.scale";
    public static final String MEAN = "cxr.mean";
    public static final String STD = "cxr.std";
    public static final String CLASS_NAMES = "cxr.class_names";
    public static final String THRESHOLD = "cxr.threshold";
    public static final String RESIZE = "cxr.resize";
    public static final String OUTPUT = "cxr.output";
    public static final String TEMPERATURE = "cxr.temperature";

    /**
     * Resolves the preprocessing of a model and checks it against the model's signature.
     *
     * @param metadata       the model's custom metadata ({@code metadata_props})
     * @param preset         defaults for keys the metadata lacks
     * @param defaultClasses class names when the metadata has none
     * @param defaultThresh  threshold when the metadata has none
     * @param inputShape     the image input's shape, -1 for symbolic dimensions
     * @param outputShape    the output's shape, -1 for symbolic dimensions
     * @throws IllegalArgumentException naming the key or dimension that does not fit
     */
    public static Preprocessing resolve(Map<String, String> metadata, Preset preset, List<String> defaultClasses,
            double defaultThresh, long[] inputShape, long[] outputShape) {
        if (inputShape.length != 4) {
            throw new IllegalArgumentException("the model input has shape " + Arrays.toString(inputShape)
                    + "; an image model takes [batch, channels, height, width] or [batch, height, width, channels]");
        }
        Layout layout = metadata.containsKey(LAYOUT) ? layout(metadata.get(LAYOUT)) : preset.layout();
        long hDim = layout == Layout.NCHW ? inputShape[2] : inputShape[1];
        long wDim = layout == Layout.NCHW ? inputShape[3] : inputShape[2];
        long cDim = layout == Layout.NCHW ? inputShape[1] : inputShape[3];

        int channels = metadata.containsKey(CHANNELS) ? positiveInt(CHANNELS, metadata.get(CHANNELS))
                : cDim == 1 ? 1 : 3;
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException(CHANNELS + " is " + channels + "; 1 or 3 are served");
        }
        if (cDim > 0 && cDim != channels) {
            throw new IllegalArgumentException("the model input has " + cDim + " channels in " + layout
                    + " layout, but " + channels + " are expected: check " + LAYOUT + " / the preset");
        }
        int size;
        if (metadata.containsKey(SIZE)) {
            size = positiveInt(SIZE, metadata.get(SIZE));
        } else if (hDim > 0 && wDim > 0) {
            if (hDim != wDim) {
                throw new IllegalArgumentException("the model input is " + wDim + "x" + hDim + "; only square inputs "
                        + "are served");
            }
            size = (int) hDim;
        } else {
            size = 224;
        }
        if ((hDim > 0 && hDim != size) || (wDim > 0 && wDim != size)) {
            throw new IllegalArgumentException(SIZE + " is " + size + " but the model input is " + wDim + "x" + hDim
                    + " (" + layout + ")");
        }
        float scale = metadata.containsKey(SCALE) ? (float) number(SCALE, metadata.get(SCALE)) : preset.scale();
        float[] mean = metadata.containsKey(MEAN) ? perChannel(MEAN, metadata.get(MEAN), channels)
                : fit(preset.mean(), channels);
        float[] std = metadata.containsKey(STD) ? perChannel(STD, metadata.get(STD), channels)
                : fit(preset.std(), channels);
        for (float s : std) {
            if (s == 0f) {
                throw new IllegalArgumentException(STD + " has a zero");
            }
        }
        List<String> classes = metadata.containsKey(CLASS_NAMES)
                ? Arrays.stream(metadata.get(CLASS_NAMES).split(",")).map(String::trim).toList()
                : List.copyOf(defaultClasses);
        if (classes.isEmpty() || classes.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException(CLASS_NAMES + " must list class names separated by commas");
        }
        if (outputShape.length != 2) {
            throw new IllegalArgumentException("the model output has shape " + Arrays.toString(outputShape)
                    + "; a classifier emits [batch, classes]");
        }
        if (outputShape[1] > 0 && outputShape[1] != classes.size()) {
            throw new IllegalArgumentException("the model emits " + outputShape[1] + " classes but "
                    + classes.size() + " class names are known (" + String.join(",", classes) + ")");
        }
        double threshold = metadata.containsKey(THRESHOLD) ? number(THRESHOLD, metadata.get(THRESHOLD))
                : defaultThresh;
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException(THRESHOLD + " is " + threshold + "; it must lie in [0, 1]");
        }
        Resize resize = metadata.containsKey(RESIZE) ? Resize.of(metadata.get(RESIZE)) : Resize.STRETCH;
        Output output = metadata.containsKey(OUTPUT) ? output(metadata.get(OUTPUT)) : preset.output();
        double temperature = metadata.containsKey(TEMPERATURE) ? number(TEMPERATURE, metadata.get(TEMPERATURE)) : 1.0;
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException(TEMPERATURE + " is " + temperature + "; it must be a positive number");
        }
        return new Preprocessing(size, channels, layout, scale, mean, std, classes, threshold, resize, output,
                temperature);
    }

    /** Floats per image in the input tensor. */
    public int tensorSize() {
        return size * size * channels;
    }

    private static Layout layout(String v) {
        try {
            return Layout.valueOf(v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(LAYOUT + " '" + v + "' is not NCHW or NHWC");
        }
    }

    private static Output output(String v) {
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "logits" -> Output.LOGITS;
            case "probabilities", "softmax" -> Output.PROBABILITIES;
            default -> throw new IllegalArgumentException(OUTPUT + " '" + v + "' is not logits or probabilities");
        };
    }

    private static int positiveInt(String key, String v) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(key + " '" + v + "' is not a positive integer");
    }

    private static double number(String key, String v) {
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " '" + v + "' is not a number");
        }
    }

    private static float[] perChannel(String key, String v, int channels) {
        String[] parts = v.split(",");
        float[] values = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = (float) number(key, parts[i]);
        }
        if (values.length != 1 && values.length != channels) {
            throw new IllegalArgumentException(key + " has " + values.length + " values for " + channels + " channels");
        }
        return fit(values, channels);
    }

    /** One value per channel: a single value is broadcast; RGB statistics on a luminance model are averaged. */
    private static float[] fit(float[] values, int channels) {
        if (values.length == channels) {
            return values;
        }
        float[] out = new float[channels];
        float avg = 0;
        for (float v : values) {
            avg += v / values.length;
        }
        Arrays.fill(out, values.length == 1 ? values[0] : avg);
        return out;
    }
}
