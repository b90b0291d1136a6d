package io.cxrpipeline.training;

import java.math.BigDecimal;
import java.util.List;

import io.cxrpipeline.api.ApiException;
import io.cxrpipeline.common.InvalidInputException;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The resolved parameters of a run: every default applied, every range checked. Sent to the job as
 * {@code CXR_PARAMS}; the training program applies the same defaults and ranges to runs started by hand.
 */
@RegisterForReflection
public record TrainingParams(String arch, Hyperparameters hyperparameters, Augmentation augmentation,
        String classWeights, OperatingPoint operatingPoint, String calibration, int bootstrapResamples) {

    public static final List<String> ARCHS = List.of("vgg16", "small");
    public static final List<String> OPTIMIZERS = List.of("adam", "sgd");
    public static final List<String> CLASS_WEIGHTS = List.of("auto", "none");
    public static final List<String> OPERATING_POINTS = List.of("sensitivity", "youden");
    public static final List<String> CALIBRATIONS = List.of("temperature", "none");

    /** Hyperparameters, all set. */
    @RegisterForReflection
    public record Hyperparameters(int epochs, int batchSize, double learningRate, int imageSize, int fineTuneBlocks,
            String arch, int patience, String optimizer, int seed) {
    }

    /** Augmentation, all set; horizontal flips stay off unless asked (a chest X-ray has a left and a right). */
    @RegisterForReflection
    public record Augmentation(double rotationDegrees, double widthShift, double heightShift, double zoom,
            double brightness, double contrast, boolean horizontalFlip) {
    }

    /**
     * The decision threshold, chosen on the validation manifest: the highest threshold whose sensitivity reaches
     * {@code targetSensitivity} ({@code sensitivity}), or the one maximising Youden's J ({@code youden}, which ignores
     * the target).
     */
    @RegisterForReflection
    public record OperatingPoint(String method, double targetSensitivity) {
    }

    /**
     * Applies defaults and checks ranges.
     *
     * @param defaultArch the arch when the request names none
     * @throws ApiException 400 naming the field at fault
     */
    public static TrainingParams resolve(TrainingRunRequest request, String defaultArch) {
        TrainingRunRequest.Hyperparameters h = request.hyperparameters() != null ? request.hyperparameters()
                : new TrainingRunRequest.Hyperparameters(null, null, null, null, null, null, null, null, null);
        TrainingRunRequest.Augmentation a = request.augmentation() != null ? request.augmentation()
                : new TrainingRunRequest.Augmentation(null, null, null, null, null, null, null);

        String arch = oneOf(h.arch(), "hyperparameters.arch", ARCHS, defaultArch);
        int imageSize = integer(h.imageSize(), "hyperparameters.imageSize", 224, 32, 1024);
        if (imageSize % 32 != 0) {
            throw new InvalidInputException("hyperparameters.imageSize",
                    "hyperparameters.imageSize must be a multiple of 32 (the networks pool five times), got "
                            + imageSize);
        }
        // Fine-tuning pretrained weights wants a small step; the small net trains from scratch.
        double defaultRate = arch.equals("vgg16") ? 1e-4 : 1e-3;
        Hyperparameters hyper = new Hyperparameters(
                integer(h.epochs(), "hyperparameters.epochs", 10, 1, 1000),
                integer(h.batchSize(), "hyperparameters.batchSize", 32, 1, 4096),
                decimal(h.learningRate(), "hyperparameters.learningRate", defaultRate, 1e-7, 1.0),
                imageSize,
                integer(h.fineTuneBlocks(), "hyperparameters.fineTuneBlocks", 1, 0, 5),
                arch,
                integer(h.patience(), "hyperparameters.patience", 3, 0, 1000),
                oneOf(h.optimizer(), "hyperparameters.optimizer", OPTIMIZERS, "adam"),
                integer(h.seed(), "hyperparameters.seed", 42, 0, Integer.MAX_VALUE));
        Augmentation aug = new Augmentation(
                decimal(a.rotationDegrees(), "augmentation.rotationDegrees", 10, 0, 180),
                decimal(a.widthShift(), "augmentation.widthShift", 0.1, 0, 1),
                decimal(a.heightShift(), "augmentation.heightShift", 0.1, 0, 1),
                decimal(a.zoom(), "augmentation.zoom", 0.1, 0, 0.9),
                decimal(a.brightness(), "augmentation.brightness", 0.1, 0, 1),
                decimal(a.contrast(), "augmentation.contrast", 0.1, 0, 1),
                a.horizontalFlip() != null && a.horizontalFlip());
        String weights = oneOf(request.classWeights(), "classWeights", CLASS_WEIGHTS, "auto");
        TrainingRunRequest.OperatingPoint op = request.operatingPoint() != null ? request.operatingPoint()
                : new TrainingRunRequest.OperatingPoint(null, null);
        // A target of 0 would pick a threshold that calls nothing positive: the range starts at 0.5.
        OperatingPoint operatingPoint = new OperatingPoint(
                oneOf(op.method(), "operatingPoint.method", OPERATING_POINTS, "sensitivity"),
                decimal(op.targetSensitivity(), "operatingPoint.targetSensitivity", 0.95, 0.5, 1));
        String calibration = oneOf(request.calibration(), "calibration", CALIBRATIONS, "temperature");
        // 0 switches the intervals off; 100,000 resamples of a 10k-image test set stay within minutes on one core.
        int bootstrap = integer(request.bootstrapResamples(), "bootstrapResamples", 1000, 0, 100_000);
        return new TrainingParams(arch, hyper, aug, weights, operatingPoint, calibration, bootstrap);
    }

    private static int integer(Number value, String field, int fallback, int min, int max) {
        if (value == null) {
            return fallback;
        }
        BigDecimal d = exact(value);
        if (d.stripTrailingZeros().scale() > 0) {
            throw new InvalidInputException(field, field + " must be an integer, got " + value);
        }
        if (d.compareTo(BigDecimal.valueOf(min)) < 0 || d.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw new InvalidInputException(field, field + " must be between " + min + " and " + max + ", got " + value);
        }
        return d.intValue();
    }

    private static double decimal(Number value, String field, double fallback, double min, double max) {
        if (value == null) {
            return fallback;
        }
        double d = value.doubleValue();
        if (Double.isNaN(d) || d < min || d > max) {
            throw new InvalidInputException(field, field + " must be between " + trim(min) + " and " + trim(max)
                    + ", got " + value);
        }
        return d;
    }

    private static String oneOf(String value, String field, List<String> allowed, String fallback) {
        if (value == null) {
            return fallback;
        }
        if (!allowed.contains(value)) {
            throw new InvalidInputException(field, field + " must be one of " + String.join(", ", allowed) + ", got '"
                    + value + "'");
        }
        return value;
    }

    private static BigDecimal exact(Number n) {
        return n instanceof BigDecimal b ? b : new BigDecimal(n.toString());
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
