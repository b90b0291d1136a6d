package io.cxrpipeline.inference;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Preprocessing defaults for models exported without {@code cxr.*} metadata. Each key the metadata does carry
 * overrides the preset's value.
 */
public enum Preset {

    /** torchvision's VGG16 recipe: NCHW, x/255, ImageNet mean/std, raw logits out. */
    TORCHVISION_VGG16("torchvision-vgg16", Preprocessing.Layout.NCHW, new float[] {0.485f, 0.456f, 0.406f},
            new float[] {0.229f, 0.224f, 0.225f}, Preprocessing.Output.LOGITS),

    /**
     * The common Keras recipe ({@code ImageDataGenerator(rescale=1./255)} feeding {@code VGG16(include_top=False)}
     * plus a softmax head): NHWC, x/255, no mean/std, probabilities out.
     */
    KERAS_VGG16("keras-vgg16", Preprocessing.Layout.NHWC, new float[] {0f, 0f, 0f}, new float[] {1f, 1f, 1f},
            Preprocessing.Output.PROBABILITIES);

    private final String id;
    private final Preprocessing.Layout layout;
    private final float[] mean;
    private final float[] std;
    private final Preprocessing.Output output;

    Preset(String id, Preprocessing.Layout layout, float[] mean, float[] std, Preprocessing.Output output) {
        this.id = id;
        this.layout = layout;
        this.mean = mean;
        this.std = std;
        this.output = output;
    }

    public static Preset of(String id) {
        for (Preset p : values()) {
            if (p.id.equals(id.trim().toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown preprocessing preset '" + id + "'; known: "
                + Arrays.stream(values()).map(Preset::id).collect(Collectors.joining(", ")));
    }

    public String id() {
        return id;
    }

    public Preprocessing.Layout layout() {
        return layout;
    }

    /** Every preset scales bytes to [0, 1] first. */
    public float scale() {
        return 1f / 255f;
    }

    public float[] mean() {
        return mean.clone();
    }

    public float[] std() {
        return std.clone();
    }

    public Preprocessing.Output output() {
        return output;
    }
}
