package io.cxrpipeline.splits;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a split request asks for, validated and with defaults filled in.
 *
 * @param train          share of each class's images for train, in (0, 1)
 * @param val            share for validation
 * @param test           share for test; the three sum to 1
 * @param seed           decides every tie and every random-looking choice
 * @param stratify       what each split's proportions follow
 * @param groupByPatient keep each patient's images in one split
 * @param groupByContent keep images with identical content in one split
 * @param trainBalance   how the train split is balanced
 * @param evalBalance    how the val and test splits are balanced (none, oversample or undersample)
 * @param target         the count per class balancing aims at; null: the strategy's default (majority for
 *                       oversampling, minority for undersampling)
 * @param views          only images whose indexed view (DICOM ViewPosition) is one of these, upper case, sorted;
 *                       empty: no view filter (images without a view are excluded when a filter is given)
 * @param excludePhi     leave out images flagged as carrying protected health information
 */
public record SplitParameters(
        double train,
        double val,
        double test,
        long seed,
        Stratify stratify,
        boolean groupByPatient,
        boolean groupByContent,
        Balance trainBalance,
        Balance evalBalance,
        Target target,
        List<String> views,
        boolean excludePhi) {

    public SplitParameters {
        views = views == null ? List.of() : List.copyOf(new TreeSet<>(views.stream()
                .map(v -> v.trim().toUpperCase(Locale.ROOT)).toList()));
    }

    /** Parameters without an image filter. */
    public SplitParameters(double train, double val, double test, long seed, Stratify stratify, boolean groupByPatient,
            boolean groupByContent, Balance trainBalance, Balance evalBalance, Target target) {
        this(train, val, test, seed, stratify, groupByPatient, groupByContent, trainBalance, evalBalance, target,
                List.of(), false);
    }

    /** Whether any image is filtered out by its view or PHI flag. */
    public boolean filters() {
        return !views.isEmpty() || excludePhi;
    }

    /** Whether an image with this view (null: none) and PHI flag goes into the split. */
    public boolean admits(String view, boolean phi) {
        if (excludePhi && phi) {
            return false;
        }
        return views.isEmpty() || view != null && views.contains(view.trim().toUpperCase(Locale.ROOT));
    }

    /** Version of the splitting algorithm: part of the split id, so a changed algorithm never reuses an id. */
    public static final String ALGORITHM = "cxr-split/1";

    /** The defaults: 0.6/0.2/0.2, class strata, grouped by patient and content, oversampled train. */
    public static SplitParameters defaults(long seed) {
        return new SplitParameters(0.6, 0.2, 0.2, seed, Stratify.CLASS, true, true, Balance.OVERSAMPLE, Balance.NONE,
                null);
    }

    /** The ratio of a split. */
    public double ratio(SplitName split) {
        return switch (split) {
            case TRAIN -> train;
            case VAL -> val;
            case TEST -> test;
        };
    }

    /** The balancing strategy of a split. */
    public Balance balance(SplitName split) {
        return split == SplitName.TRAIN ? trainBalance : evalBalance;
    }

    /** The target a split balances to, with the strategy's default resolved; null when it is not resampled. */
    public Target resolvedTarget(SplitName split) {
        Balance b = balance(split);
        if (b != Balance.OVERSAMPLE && b != Balance.UNDERSAMPLE) {
            return null;
        }
        if (target != null) {
            return target;
        }
        return b == Balance.OVERSAMPLE ? Target.MAJORITY : Target.MINORITY;
    }

    /**
     * The parameters in a canonical form (fixed key order, defaults resolved, irrelevant options dropped): two
     * requests that mean the same thing have equal canonical forms, and so the same split id.
     */
    public Map<String, Object> canonical() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("algorithm", ALGORITHM);
        Map<String, Object> ratios = new LinkedHashMap<>();
        for (SplitName s : SplitName.values()) {
            ratios.put(s.id(), ratio(s));
        }
        m.put("ratios", ratios);
        m.put("seed", seed);
        m.put("stratify", stratify.id());
        m.put("groupBy", groupByPatient && groupByContent ? List.of("patient", "content")
                : groupByPatient ? List.of("patient") : groupByContent ? List.of("content") : List.of());
        Map<String, Object> balance = new LinkedHashMap<>();
        for (SplitName s : SplitName.values()) {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("strategy", balance(s).id());
            Target t = resolvedTarget(s);
            if (t != null) {
                b.put("target", t.json());
            }
            balance.put(s.id(), b);
        }
        m.put("balance", balance);
        if (filters()) {
            // Only when filtering: the ids of splits without a filter stay what they were.
            Map<String, Object> filter = new LinkedHashMap<>();
            if (!views.isEmpty()) {
                filter.put("views", views);
            }
            if (excludePhi) {
                filter.put("excludePhi", true);
            }
            m.put("filter", filter);
        }
        return m;
    }

    /** What the proportions of each split follow. */
    public enum Stratify {
        CLASS("class"), CLASS_SUBTYPE("class+subtype");

        private final String id;

        Stratify(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        /** The value of an API name, or null. */
        public static Stratify of(String id) {
            for (Stratify s : values()) {
                if (s.id.equals(id)) {
                    return s;
                }
            }
            return null;
        }
    }

    /** A balancing strategy. Nothing is ever copied: resampling only repeats or omits manifest rows. */
    public enum Balance {
        /** Repeat images of classes below the target, each ⌊k⌋ or ⌈k⌉ times. */
        OVERSAMPLE("oversample"),
        /** Keep a seeded choice of images of classes above the target. */
        UNDERSAMPLE("undersample"),
        /** Keep the split as it is; training weighs the loss by the summary's class weights. */
        CLASS_WEIGHTS("class-weights"),
        /** Keep the split as it is. */
        NONE("none");

        private final String id;

        Balance(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        /** The value of an API name, or null. */
        public static Balance of(String id) {
            for (Balance b : values()) {
                if (b.id.equals(id)) {
                    return b;
                }
            }
            return null;
        }
    }

    /**
     * The count per class that resampling aims at.
     *
     * @param kind  majority, minority, mean or an explicit count
     * @param count the explicit count for train (kind COUNT); val and test scale it by their ratio to train
     */
    public record Target(Kind kind, long count) {

        public static final Target MAJORITY = new Target(Kind.MAJORITY, 0);
        public static final Target MINORITY = new Target(Kind.MINORITY, 0);
        public static final Target MEAN = new Target(Kind.MEAN, 0);

        /** What a target is relative to. */
        public enum Kind {
            MAJORITY, MINORITY, MEAN, COUNT
        }

        /** An explicit count per class. */
        public static Target count(long count) {
            return new Target(Kind.COUNT, count);
        }

        /** The API form: "majority", "minority", "mean" or the number. */
        public Object json() {
            return kind == Kind.COUNT ? (Object) count : kind.name().toLowerCase(java.util.Locale.ROOT);
        }

        /**
         * The count per class for a split with these class counts (classes without images left out).
         *
         * @param counts     images per present class in the split
         * @param scale      the split's ratio divided by train's (1 for train), for explicit counts
         */
        public long resolve(long[] counts, double scale) {
            long max = 0;
            long min = Long.MAX_VALUE;
            long sum = 0;
            for (long n : counts) {
                max = Math.max(max, n);
                min = Math.min(min, n);
                sum += n;
            }
            return switch (kind) {
                case MAJORITY -> max;
                case MINORITY -> counts.length == 0 ? 0 : min;
                // Rounded half up in integers: no floating point in what decides the bytes of a manifest.
                case MEAN -> counts.length == 0 ? 0 : (2 * sum + counts.length) / (2L * counts.length);
                case COUNT -> Math.max(1, Math.round(count * scale));
            };
        }
    }
}
