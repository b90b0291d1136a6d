package io.cxrpipeline.splits;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Assembles the {@link SplitSummary} of a written plan. */
public final class SummaryBuilder {

    /** What {@link CompactIndex#digest()} covers, as the summary states it. */
    public static final String DIGEST_OF = "SHA-256 over the INDEXED images sorted by imageId (UTF-8 bytes), each as"
            + " imageId, class, subtype, patient and a 64-bit hash of contentId";

    /** The files of a split, in the order the summary lists them. */
    public static final List<String> FILES = List.of("train.jsonl", "val.jsonl", "test.jsonl", "train.csv", "val.csv",
            "test.csv", "summary.json", "report.html");

    private SummaryBuilder() {
    }

    public static SplitSummary build(String splitId, String dataset, String createdAt, String indexDigest,
            SplitPlan plan, ManifestWriter.Output output, ManifestStore store, String prefix,
            SplitSummary.Excluded excluded) {
        CompactIndex index = plan.index();
        SplitParameters p = plan.parameters();
        List<String> classes = index.classes();
        int n = index.size();
        int k = classes.size();
        int subtypes = index.subtypeCount() + 1;
        SplitName[] names = SplitName.values();
        long[][][] before = new long[names.length][k][subtypes];
        long[] images = new long[names.length];
        long[] perClass = new long[k];
        boolean[] patientSeen = new boolean[index.patientCount()];
        long patients = 0;
        for (int i = 0; i < n; i++) {
            before[plan.split(i)][index.label(i)][index.subtype(i) + 1]++;
            images[plan.split(i)]++;
            perClass[index.label(i)]++;
            int pt = index.patient(i);
            if (pt >= 0 && !patientSeen[pt]) {
                patientSeen[pt] = true;
                patients++;
            }
        }
        Map<String, Long> groupsPerClass = new LinkedHashMap<>();
        for (int c = 0; c < k; c++) {
            groupsPerClass.put(classes.get(c), (long) plan.groupsOfClass(c));
        }
        SplitSummary.IndexState state = new SplitSummary.IndexState(indexDigest, DIGEST_OF, n, patients,
                plan.groupCount(), groupsPerClass);

        Map<String, SplitSummary.SplitCounts> splits = new LinkedHashMap<>();
        for (SplitName s : names) {
            int si = s.ordinal();
            SplitPlan.SplitBalance balance = plan.balance(s);
            List<SplitSummary.ClassCounts> classCounts = new ArrayList<>();
            for (int c = 0; c < k; c++) {
                List<SplitSummary.SubtypeCounts> st = new ArrayList<>();
                long b = 0;
                long a = 0;
                // Subtype index order is the subtype names' order; "none" (index 0 here) goes last.
                for (int t = 1; t <= subtypes; t++) {
                    int ti = t % subtypes;
                    if (before[si][c][ti] == 0 && output.after()[si][c][ti] == 0) {
                        continue;
                    }
                    st.add(new SplitSummary.SubtypeCounts(index.subtypeName(ti - 1), before[si][c][ti],
                            output.after()[si][c][ti]));
                    b += before[si][c][ti];
                    a += output.after()[si][c][ti];
                }
                SplitPlan.ClassBalance cb = balance.classes().get(c);
                classCounts.add(new SplitSummary.ClassCounts(classes.get(c), c, b, a, cb.minUses(), cb.maxUses(), st));
            }
            SplitParameters.Target target = balance.target();
            splits.put(s.id(), new SplitSummary.SplitCounts(p.ratio(s), images[si], output.rows()[si],
                    output.groupsPerSplit()[si], output.patientsPerSplit()[si],
                    new SplitSummary.Balancing(balance.strategy().id(), target == null ? null : target.json(),
                            balance.targetCount()),
                    classCounts));
        }

        int train = SplitName.TRAIN.ordinal();
        long[] trainBefore = new long[k];
        long[] trainAfter = new long[k];
        for (int c = 0; c < k; c++) {
            for (int t = 0; t < subtypes; t++) {
                trainBefore[c] += before[train][c][t];
                trainAfter[c] += output.after()[train][c][t];
            }
        }

        List<SplitSummary.ClassDeviation> deviations = new ArrayList<>();
        double maxDeviation = 0;
        double maxShareDeviation = 0;
        for (int c = 0; c < k; c++) {
            if (perClass[c] == 0) {
                continue;
            }
            Map<String, SplitSummary.SplitDeviation> perSplit = new LinkedHashMap<>();
            for (SplitName s : names) {
                int si = s.ordinal();
                long inSplit = 0;
                for (int t = 0; t < subtypes; t++) {
                    inSplit += before[si][c][t];
                }
                double actual = (double) inSplit / perClass[c];
                double deviation = 100 * (actual - p.ratio(s));
                double share = images[si] == 0 ? 0 : (double) inSplit / images[si];
                double overall = (double) perClass[c] / n;
                double shareDeviation = 100 * (share - overall);
                maxDeviation = Math.max(maxDeviation, Math.abs(deviation));
                maxShareDeviation = Math.max(maxShareDeviation, Math.abs(shareDeviation));
                perSplit.put(s.id(), new SplitSummary.SplitDeviation(p.ratio(s), round(actual), round(deviation),
                        round(share), round(overall), round(shareDeviation)));
            }
            deviations.add(new SplitSummary.ClassDeviation(classes.get(c), perClass[c], perSplit));
        }

        Map<String, String> files = new LinkedHashMap<>();
        for (String f : FILES) {
            files.put(f, store.uri(prefix + f));
        }
        return new SplitSummary(splitId, dataset, createdAt, p.canonical(), state, classes, splits,
                balancedWeights(classes, trainAfter), balancedWeights(classes, trainBefore), output.leakage(),
                new SplitSummary.RatioDeviation(round(maxDeviation), round(maxShareDeviation), deviations), files,
                excluded);
    }

    /**
     * scikit-learn's {@code compute_class_weight('balanced')}: n_samples / (n_classes * n_c) over the classes
     * present; a class with no sample gets no weight.
     */
    static Map<String, Double> balancedWeights(List<String> classes, long[] counts) {
        long total = 0;
        int present = 0;
        for (long c : counts) {
            total += c;
            present += c > 0 ? 1 : 0;
        }
        Map<String, Double> weights = new LinkedHashMap<>();
        for (int c = 0; c < classes.size(); c++) {
            if (counts[c] > 0) {
                weights.put(classes.get(c), round((double) total / ((double) present * counts[c])));
            }
        }
        return weights;
    }

    /** Six decimals: enough for shares and weights, and stable text in JSON. */
    static double round(double x) {
        return Math.round(x * 1e6) / 1e6;
    }
}
