package io.cxrpipeline.training;

import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * When a new model replaces the promoted one: it must reach the sensitivity floor at its operating point (a
 * pneumonia screen that misses cases is not an improvement, whatever its AUC) and beat the promoted model on the
 * metric. With the dataset's evaluation manifest both models are scored on the same images, and "beat" means a
 * paired test (DeLong for ROC AUC, a paired bootstrap for the other metrics) finds the new model better at the
 * configured significance. Without one the figures come from two different test sets and are compared as they are,
 * which the reason says. The first model that reaches the floor is promoted.
 */
public final class PromotionPolicy {

    /** The outcome, with a reason a person can read on the run. */
    public record Decision(boolean promote, String reason) {
    }

    /**
     * The new model against the promoted one on the same evaluation images ({@code evaluation.comparison} of the
     * run's metrics.json), for the promotion metric.
     *
     * @param promotedVersion the model it was compared with
     * @param n               evaluation images
     * @param newValue        the new model's value of the metric
     * @param promotedValue   the promoted model's value
     * @param difference      new - promoted
     * @param ciLow           lower end of the difference's 95 % interval
     * @param ciHigh          upper end
     * @param pValue          one-sided p-value of "new is better"
     * @param test            the paired test that gave it
     */
    public record Paired(String promotedVersion, int n, double newValue, double promotedValue, double difference,
            double ciLow, double ciHigh, double pValue, String test) {

        /**
         * Reads the comparison for a metric from the metrics document's {@code evaluation} block.
         *
         * @return null when there is no (complete) comparison for the metric
         */
        public static Paired of(Map<String, Object> evaluation, String metric) {
            Map<String, Object> comparison = map(evaluation == null ? null : evaluation.get("comparison"));
            Map<String, Object> m = map(comparison == null ? null : map(comparison.get("metrics")) == null ? null
                    : map(comparison.get("metrics")).get(metric));
            Map<String, Object> ci = map(m == null ? null : m.get("ci"));
            if (m == null || ci == null) {
                return null;
            }
            Double v = num(m.get("new"));
            Double p = num(m.get("promoted"));
            Double d = num(m.get("difference"));
            Double lo = num(ci.get("low"));
            Double hi = num(ci.get("high"));
            Double pv = num(m.get("pValueGreater"));
            Double n = num(comparison.get("n"));
            if (v == null || p == null || d == null || lo == null || hi == null || pv == null || n == null) {
                return null;
            }
            return new Paired(String.valueOf(comparison.get("promotedVersion")), n.intValue(), v, p, d, lo, hi, pv,
                    String.valueOf(m.get("test")));
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Object> map(Object o) {
            return o instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
        }

        private static Double num(Object o) {
            return o instanceof Number x && Double.isFinite(x.doubleValue()) ? x.doubleValue() : null;
        }
    }

    private final String metric;
    private final double minSensitivity;
    private final double significance;

    public PromotionPolicy(String metric, double minSensitivity) {
        this(metric, minSensitivity, 0.05);
    }

    public PromotionPolicy(String metric, double minSensitivity, double significance) {
        this.metric = metric;
        this.minSensitivity = minSensitivity;
        this.significance = significance;
    }

    public String metric() {
        return metric;
    }

    /** The decision without a paired comparison (no evaluation manifest was pinned for the dataset). */
    public Decision decide(ModelVersion candidate, PromotedModel current, OptionalDouble currentMetric) {
        return decide(candidate, current, currentMetric, null);
    }

    /**
     * @param candidate      the newly registered model
     * @param current        the promoted model, or null when none is
     * @param currentMetric  the promoted model's value of the metric, empty when unknown
     * @param paired         the paired comparison on the evaluation set, or null when the run made none
     */
    public Decision decide(ModelVersion candidate, PromotedModel current, OptionalDouble currentMetric,
            Paired paired) {
        OptionalDouble value = candidate.metric(metric);
        if (value.isEmpty()) {
            return new Decision(false, "the model's test metrics have no " + metric);
        }
        OptionalDouble sensitivity = candidate.metric("sensitivity");
        String at = candidate.metric("threshold").isPresent()
                ? " at its operating point (threshold " + fmt(candidate.metric("threshold").getAsDouble()) + ")" : "";
        if (sensitivity.isEmpty() || sensitivity.getAsDouble() < minSensitivity) {
            return new Decision(false, "test sensitivity " + (sensitivity.isEmpty() ? "unknown" : fmt(sensitivity
                    .getAsDouble())) + at + " is below the floor " + fmt(minSensitivity));
        }
        String floor = "sensitivity " + fmt(sensitivity.getAsDouble()) + at + " >= " + fmt(minSensitivity);
        if (current == null) {
            return new Decision(true, "first model to qualify: " + metric + " " + fmt(value.getAsDouble())
                    + ", " + floor);
        }
        if (paired != null && current.version().equals(paired.promotedVersion())) {
            String figures = "paired on " + paired.n() + " evaluation images: " + metric + " " + fmt(paired.newValue())
                    + " vs " + fmt(paired.promotedValue()) + " of " + current.version() + ", difference "
                    + fmt(paired.difference()) + " (95% CI " + fmt(paired.ciLow()) + " to " + fmt(paired.ciHigh())
                    + "), " + paired.test() + " one-sided p = " + fmtP(paired.pValue());
            if (paired.difference() > 0 && paired.pValue() < significance) {
                return new Decision(true, figures + " < " + fmtP(significance) + "; " + floor);
            }
            return new Decision(false, figures + (paired.difference() > 0 ? " is not below the significance "
                    + fmtP(significance) : ": not better"));
        }
        String unpaired = paired == null ? " (unpaired: the two test sets differ; pin an evaluation manifest for a "
                + "paired comparison)" : " (unpaired: the run was compared with " + paired.promotedVersion()
                        + ", not the promoted " + current.version() + ")";
        if (currentMetric.isEmpty()) {
            // Not knowing what it would replace, it leaves the pointer alone (it may have been set by hand).
            return new Decision(false, "the promoted model " + current.version() + " has no " + metric
                    + " to compare with");
        }
        if (value.getAsDouble() > currentMetric.getAsDouble()) {
            return new Decision(true, metric + " " + fmt(value.getAsDouble()) + " beats " + fmt(currentMetric
                    .getAsDouble()) + " of " + current.version() + ", " + floor + unpaired);
        }
        return new Decision(false, metric + " " + fmt(value.getAsDouble()) + " does not beat " + fmt(currentMetric
                .getAsDouble()) + " of the promoted " + current.version() + unpaired);
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.4f", d);
    }

    private static String fmtP(double p) {
        return p < 1e-4 ? String.format(Locale.ROOT, "%.1e", p) : String.format(Locale.ROOT, "%.4f", p);
    }
}
