package io.cxrpipeline.distribution;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * How imbalanced a set of class counts is.
 *
 * @param majorityClass           the most frequent class (the first in class order on ties)
 * @param minorityClass           the least frequent class (the last in class order on ties, so that it differs
 *                                from the majority class when all counts are equal)
 * @param imbalanceRatio          majority count / minority count; null when the minority class has no image
 * @param classImbalance          SageMaker Clarify's CI = (n_a − n_d) / (n_a + n_d) with a = the majority
 *                                class and d = the minority class: 0 is balanced, 1 means the minority is
 *                                absent. With two classes this is Clarify's CI of the minority class as facet d
 * @param classImbalanceOneVsRest Clarify's CI for each class c as facet d against all other classes as
 *                                facet a: (n_rest − n_c) / (n_rest + n_c); positive for under-represented
 *                                classes. For more than two classes this is how Clarify treats a
 *                                multi-valued facet; with two classes, the minority's value equals
 *                                {@code classImbalance}
 * @param normalisedEntropy       Shannon entropy of the class shares divided by ln(number of classes): 1 is
 *                                perfectly balanced, 0 means one class only; null with fewer than 2 classes
 */
@RegisterForReflection
public record ImbalanceMetrics(
        String majorityClass,
        String minorityClass,
        Double imbalanceRatio,
        Double classImbalance,
        Map<String, Double> classImbalanceOneVsRest,
        Double normalisedEntropy) {

    /** The metrics of counts per class, over all configured classes (a class with no image counts as 0). */
    public static ImbalanceMetrics of(List<String> classes, Map<String, Long> counts) {
        long total = 0;
        String majority = null;
        String minority = null;
        long max = -1;
        long min = Long.MAX_VALUE;
        for (String c : classes) {
            long n = counts.getOrDefault(c, 0L);
            total += n;
            if (n > max) {
                max = n;
                majority = c;
            }
            if (n <= min) {
                min = n;
                minority = c;
            }
        }
        if (total == 0) {
            return new ImbalanceMetrics(null, null, null, null, Map.of(), null);
        }
        Double ratio = min == 0 ? null : (double) max / min;
        double ci = (double) (max - min) / (max + min);
        Map<String, Double> oneVsRest = new LinkedHashMap<>();
        double entropy = 0;
        for (String c : classes) {
            long n = counts.getOrDefault(c, 0L);
            oneVsRest.put(c, (double) (total - 2 * n) / total);
            if (n > 0) {
                double p = (double) n / total;
                entropy -= p * Math.log(p);
            }
        }
        Double normalised = classes.size() < 2 ? null : entropy / Math.log(classes.size());
        return new ImbalanceMetrics(majority, minority, ratio, ci, oneVsRest, normalised);
    }
}
