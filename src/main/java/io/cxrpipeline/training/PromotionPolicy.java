package io.cxrpipeline.training;

import java.util.Locale;
import java.util.OptionalDouble;

/**
 * When a new model replaces the promoted one: it must reach the sensitivity floor (a pneumonia screen that
 * misses cases is not an improvement, whatever its AUC) and strictly beat the promoted model on the metric.
 * The first model that reaches the floor is promoted.
 */
public final class PromotionPolicy {

    /** The outcome, with a reason a person can read on the run. */
    public record Decision(boolean promote, String reason) {
    }

    private final String metric;
    private final double minSensitivity;

    public PromotionPolicy(String metric, double minSensitivity) {
        this.metric = metric;
        this.minSensitivity = minSensitivity;
    }

    public String metric() {
        return metric;
    }

    /**
     * @param candidate      the newly registered model
     * @param current        the promoted model, or null when none is
     * @param currentMetric  the promoted model's value of the metric, empty when unknown
     */
    public Decision decide(ModelVersion candidate, PromotedModel current, OptionalDouble currentMetric) {
        OptionalDouble value = candidate.metric(metric);
        if (value.isEmpty()) {
            return new Decision(false, "the model's test metrics have no " + metric);
        }
        OptionalDouble sensitivity = candidate.metric("sensitivity");
        if (sensitivity.isEmpty() || sensitivity.getAsDouble() < minSensitivity) {
            return new Decision(false, "test sensitivity " + (sensitivity.isEmpty() ? "unknown" : fmt(sensitivity
                    .getAsDouble())) + " is below the floor " + fmt(minSensitivity));
        }
        if (current == null) {
            return new Decision(true, "first model to qualify: " + metric + " " + fmt(value.getAsDouble())
                    + ", sensitivity " + fmt(sensitivity.getAsDouble()) + " >= " + fmt(minSensitivity));
        }
        if (currentMetric.isEmpty()) {
            // Not knowing what it would replace, it leaves the pointer alone (it may have been set by hand).
            return new Decision(false, "the promoted model " + current.version() + " has no " + metric
                    + " to compare with");
        }
        if (value.getAsDouble() > currentMetric.getAsDouble()) {
            return new Decision(true, metric + " " + fmt(value.getAsDouble()) + " beats " + fmt(currentMetric
                    .getAsDouble()) + " of " + current.version() + ", sensitivity " + fmt(sensitivity.getAsDouble())
                    + " >= " + fmt(minSensitivity));
        }
        return new Decision(false, metric + " " + fmt(value.getAsDouble()) + " does not beat " + fmt(currentMetric
                .getAsDouble()) + " of the promoted " + current.version());
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.4f", d);
    }
}
