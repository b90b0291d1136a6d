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
        List<String> classes = plan.index().classes();
        PlannedCounts before = PlannedCounts.of(plan);
        int train = SplitName.TRAIN.ordinal();
        Map<String, Double> classWeights = balancedWeights(classes, perClass(output.after()[train]));
        Map<String, Double> classWeightsBeforeBalancing = balancedWeights(classes, perClass(before.images[train]));
        return new SplitSummary(splitId, dataset, createdAt, plan.parameters().canonical(),
                indexState(plan, indexDigest, before.patients), classes, splitCounts(plan, before, output),
                classWeights, classWeightsBeforeBalancing, output.leakage(), ratioDeviation(plan, before),
                files(store, prefix), excluded);
    }

    /** The plan's images per split, class and subtype, before balancing. */
    private static final class PlannedCounts {
        /** Per split, class and subtype (index subtype + 1). */
        final long[][][] images;
        final long[] perSplit;
        final long[] perClass;
        final long patients;

        private PlannedCounts(long[][][] images, long[] perSplit, long[] perClass, long patients) {
            this.images = images;
            this.perSplit = perSplit;
            this.perClass = perClass;
            this.patients = patients;
        }

        static PlannedCounts of(SplitPlan plan) {
            CompactIndex index = plan.index();
            int classes = index.classes().size();
            long[][][] images = new long[SplitName.values().length][classes][index.subtypeCount() + 1];
            long[] perSplit = new long[SplitName.values().length];
            long[] perClass = new long[classes];
            boolean[] patientSeen = new boolean[index.patientCount()];
            long patients = 0;
            for (int i = 0; i < index.size(); i++) {
                images[plan.split(i)][index.label(i)][index.subtype(i) + 1]++;
                perSplit[plan.split(i)]++;
                perClass[index.label(i)]++;
                int pt = index.patient(i);
                if (pt >= 0 && !patientSeen[pt]) {
                    patientSeen[pt] = true;
                    patients++;
                }
            }
            return new PlannedCounts(images, perSplit, perClass, patients);
        }
    }

    private static SplitSummary.IndexState indexState(SplitPlan plan, String indexDigest, long patients) {
        List<String> classes = plan.index().classes();
        Map<String, Long> groupsPerClass = new LinkedHashMap<>();
        for (int c = 0; c < classes.size(); c++) {
            groupsPerClass.put(classes.get(c), (long) plan.groupsOfClass(c));
        }
        return new SplitSummary.IndexState(indexDigest, DIGEST_OF, plan.index().size(), patients, plan.groupCount(),
                groupsPerClass);
    }

    private static Map<String, SplitSummary.SplitCounts> splitCounts(SplitPlan plan, PlannedCounts before,
            ManifestWriter.Output output) {
        Map<String, SplitSummary.SplitCounts> splits = new LinkedHashMap<>();
        for (SplitName s : SplitName.values()) {
            int si = s.ordinal();
            SplitPlan.SplitBalance balance = plan.balance(s);
            SplitParameters.Target target = balance.target();
            splits.put(s.id(), new SplitSummary.SplitCounts(plan.parameters().ratio(s), before.perSplit[si],
                    output.rows()[si], output.groupsPerSplit()[si], output.patientsPerSplit()[si],
                    new SplitSummary.Balancing(balance.strategy().id(), target == null ? null : target.json(),
                            balance.targetCount()),
                    classCounts(plan.index(), balance, before.images[si], output.after()[si])));
        }
        return splits;
    }

    /** One split's counts per class and subtype, before and after balancing. */
    private static List<SplitSummary.ClassCounts> classCounts(CompactIndex index, SplitPlan.SplitBalance balance,
            long[][] before, long[][] after) {
        List<String> classes = index.classes();
        int subtypes = index.subtypeCount() + 1;
        List<SplitSummary.ClassCounts> classCounts = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            List<SplitSummary.SubtypeCounts> st = new ArrayList<>();
            long b = 0;
            long a = 0;
            // Subtype index order is the subtype names' order; "none" (index 0 here) goes last.
            for (int t = 1; t <= subtypes; t++) {
                int ti = t % subtypes;
                if (before[c][ti] == 0 && after[c][ti] == 0) {
                    continue;
                }
                st.add(new SplitSummary.SubtypeCounts(index.subtypeName(ti - 1), before[c][ti], after[c][ti]));
                b += before[c][ti];
                a += after[c][ti];
            }
            SplitPlan.ClassBalance cb = balance.classes().get(c);
            classCounts.add(new SplitSummary.ClassCounts(classes.get(c), c, b, a, cb.minUses(), cb.maxUses(), st));
        }
        return classCounts;
    }

    /** Per class, the sum over subtypes. */
    private static long[] perClass(long[][] bySubtype) {
        long[] total = new long[bySubtype.length];
        for (int c = 0; c < bySubtype.length; c++) {
            for (long n : bySubtype[c]) {
                total[c] += n;
            }
        }
        return total;
    }

    /** How far each class's share of each split is from the ratios, and from its share of the whole index. */
    private static SplitSummary.RatioDeviation ratioDeviation(SplitPlan plan, PlannedCounts before) {
        SplitParameters p = plan.parameters();
        List<String> classes = plan.index().classes();
        int n = plan.index().size();
        long[][] inSplits = new long[SplitName.values().length][];
        for (SplitName s : SplitName.values()) {
            inSplits[s.ordinal()] = perClass(before.images[s.ordinal()]);
        }
        List<SplitSummary.ClassDeviation> deviations = new ArrayList<>();
        double maxDeviation = 0;
        double maxShareDeviation = 0;
        for (int c = 0; c < classes.size(); c++) {
            long ofClass = before.perClass[c];
            if (ofClass == 0) {
                continue;
            }
            Map<String, SplitSummary.SplitDeviation> perSplit = new LinkedHashMap<>();
            for (SplitName s : SplitName.values()) {
                int si = s.ordinal();
                long inSplit = inSplits[si][c];
                double actual = (double) inSplit / ofClass;
                double deviation = 100 * (actual - p.ratio(s));
                double share = before.perSplit[si] == 0 ? 0 : (double) inSplit / before.perSplit[si];
                double overall = (double) ofClass / n;
                double shareDeviation = 100 * (share - overall);
                maxDeviation = Math.max(maxDeviation, Math.abs(deviation));
                maxShareDeviation = Math.max(maxShareDeviation, Math.abs(shareDeviation));
                perSplit.put(s.id(), new SplitSummary.SplitDeviation(p.ratio(s), round(actual), round(deviation),
                        round(share), round(overall), round(shareDeviation)));
            }
            deviations.add(new SplitSummary.ClassDeviation(classes.get(c), ofClass, perSplit));
        }
        return new SplitSummary.RatioDeviation(round(maxDeviation), round(maxShareDeviation), deviations);
    }

    private static Map<String, String> files(ManifestStore store, String prefix) {
        Map<String, String> files = new LinkedHashMap<>();
        for (String f : FILES) {
            files.put(f, store.uri(prefix + f));
        }
        return files;
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
