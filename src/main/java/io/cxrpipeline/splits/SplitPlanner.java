package io.cxrpipeline.splits;

import java.util.List;
import java.util.Locale;

import io.cxrpipeline.common.Hashes;
import io.cxrpipeline.common.UnprocessableException;
import io.cxrpipeline.common.IntSort;

/**
 * Assigns leakage groups to train/val/test, stratified, and decides how often each image is used.
 *
 * <ol>
 * <li>Groups: union-find over the images, joining images that share a patient and images that share a
 * content id (when those options are on). A group never straddles two splits.</li>
 * <li>Assignment: groups sorted largest first (ties: a seeded hash of the group's first image id), each
 * given to the split with the largest remaining relative deficit (target − assigned) / target, summed over
 * the group's strata. Big groups are placed while there is room to compensate and, being placed by relative
 * deficit, spread over the splits in proportion to the ratios (so no split collects the patients with many
 * images); small ones settle the remainder, so every class lands within about one small group of its
 * target.</li>
 * <li>Repair: a class with no group in a split gets its smallest group moved there from the split holding
 * most of its groups, so that every split can be evaluated on every class.</li>
 * <li>Balancing, per split and class: oversampling gives each image ⌊k⌋ or ⌈k⌉ uses (the extra use to a
 * seeded choice of images), undersampling keeps a seeded choice of images. Only the split's own images are
 * used, so balancing can never bring a val/test image into train.</li>
 * </ol>
 * Every decision depends on image ids, the seed and the parameters only, never on the order the index was read.
 */
public final class SplitPlanner {

    private static final long SALT_GROUPS = 0x67726f7570L;

    private static final int SPLITS = SplitName.values().length;

    private SplitPlanner() {
    }

    /**
     * Refuses a ratio the split cannot honour: a split holds whole groups, so a ratio that asks for less than one
     * of the dataset's groups (e.g. {@code 1e-300}) would silently get a whole one, or one per class.
     */
    static void checkRatios(SplitParameters p, int groupCount) {
        for (SplitName s : SplitName.values()) {
            double ratio = p.ratio(s);
            if (ratio * groupCount < 1) {
                throw new UnprocessableException("ratios." + s.id(), String.format(Locale.ROOT,
                        "ratios.%s = %.3g cannot be honoured: the dataset has %d %s of images (images sharing a "
                                + "patient or identical content form one group) and a split holds whole groups, so "
                                + "%s would get at least one group, %.3g of the dataset; each ratio must be at least "
                                + "1/%d = %.3g here", s.id(), ratio, groupCount, groupCount == 1 ? "group" : "groups",
                        s.id(), 1.0 / Math.max(1, groupCount), groupCount, 1.0 / Math.max(1, groupCount)));
            }
        }
    }

    /**
     * Plans a split.
     *
     * @throws InsufficientGroupsException when a class that has images has fewer groups than splits
     * @throws UnprocessableException      naming {@code ratios.<split>} when a ratio asks for less than one of the
     *                                     dataset's groups
     */
    public static SplitPlan plan(CompactIndex index, SplitParameters p) {
        LeakageGroups groups = LeakageGroups.of(index, p.groupByPatient(), p.groupByContent());
        int[] groupsPerClass = groups.perSplitAndClass(index, null, 1)[0];
        requireAGroupPerSplit(index, groupsPerClass);
        checkRatios(p, groups.count());
        long[] groupKey = seededGroupKeys(index, groups, p.seed());
        byte[] groupSplit = assignLargestFirst(groups, new Strata(index, p), p, groupKey);
        int repairs = repair(index, groups, groupSplit, groupKey, groupsPerClass);
        byte[] split = groups.imageSplits(groupSplit);
        int[] group = groups.imageGroups();
        int groupCount = groups.count();
        // Balancing needs only the split of each image: the member lists (an int per image) can go.
        groups = null;
        int[] uses = new int[index.size()];
        List<SplitPlan.SplitBalance> balances = SplitBalancer.balance(index, p, split, uses);
        return new SplitPlan(index, p, split, uses, group, groupCount, groupsPerClass, balances, repairs);
    }

    private static void requireAGroupPerSplit(CompactIndex index, int[] groupsPerClass) {
        for (int c = 0; c < groupsPerClass.length; c++) {
            if (groupsPerClass[c] > 0 && groupsPerClass[c] < SPLITS) {
                throw new InsufficientGroupsException(index.classes().get(c), groupsPerClass[c], SPLITS);
            }
        }
    }

    /** Tie-breaking keys: a seeded hash of each group's first image id, independent of the order the index was read. */
    private static long[] seededGroupKeys(CompactIndex index, LeakageGroups groups, long seed) {
        long[] key = new long[groups.count()];
        for (int g = 0; g < key.length; g++) {
            key[g] = Hashes.seeded(seed, SALT_GROUPS, index.idHash(groups.firstImage(g)));
        }
        return key;
    }

    /** Each group, largest first, goes to the split with the largest relative deficit over the group's strata. */
    private static byte[] assignLargestFirst(LeakageGroups groups, Strata strata, SplitParameters p,
            long[] groupKey) {
        double[][] target = targets(strata, p);
        long[][] assigned = new long[SPLITS][strata.count];
        byte[] groupSplit = new byte[groups.count()];
        // The current group's images per stratum, and which strata it touches: reused, and cleared after each group.
        int[] vector = new int[strata.count];
        int[] touched = new int[strata.count];
        for (int g : largestFirst(groups, groupKey)) {
            int t = 0;
            for (int k = groups.begin(g); k < groups.end(g); k++) {
                int st = strata.of(groups.member(k));
                if (vector[st]++ == 0) {
                    touched[t++] = st;
                }
            }
            int best = mostDeficientSplit(target, assigned, vector, touched, t);
            groupSplit[g] = (byte) best;
            for (int k = 0; k < t; k++) {
                assigned[best][touched[k]] += vector[touched[k]];
                vector[touched[k]] = 0;
            }
        }
        return groupSplit;
    }

    /** Group numbers by size, descending; ties by seeded key, then number. */
    private static int[] largestFirst(LeakageGroups groups, long[] groupKey) {
        int[] order = IntSort.identity(groups.count());
        IntSort.sort(order, (a, b) -> {
            int c = Integer.compare(groups.size(b), groups.size(a));
            if (c != 0) {
                return c;
            }
            c = Long.compare(groupKey[a], groupKey[b]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        return order;
    }

    /** Images each split should hold per stratum. */
    private static double[][] targets(Strata strata, SplitParameters p) {
        long[] stratumSize = strata.sizes();
        double[][] target = new double[SPLITS][strata.count];
        for (SplitName s : SplitName.values()) {
            for (int st = 0; st < strata.count; st++) {
                target[s.ordinal()][st] = p.ratio(s) * stratumSize[st];
            }
        }
        return target;
    }

    /** The split whose relative deficit, weighted by the group's images per stratum, is largest (first on ties). */
    private static int mostDeficientSplit(double[][] target, long[][] assigned, int[] vector, int[] touched,
            int touchedCount) {
        int best = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int s = 0; s < SPLITS; s++) {
            double score = 0;
            for (int k = 0; k < touchedCount; k++) {
                int st = touched[k];
                score += vector[st] * (target[s][st] - assigned[s][st]) / target[s][st];
            }
            if (score > bestScore) {
                bestScore = score;
                best = s;
            }
        }
        return best;
    }

    /**
     * Moves groups until every class that has images has a group in every split; returns the number of moves.
     * Each move fills one empty (split, class) cell; a move can empty another class's cell only when the group
     * holds several classes, so the number of rounds is small; the bound only guards the loop.
     */
    private static int repair(CompactIndex index, LeakageGroups groups, byte[] groupSplit, long[] groupKey,
            int[] groupsPerClass) {
        int classes = index.classes().size();
        int repairs = 0;
        for (int round = 0; round < 4 * SPLITS * classes; round++) {
            int[][] groupsIn = groups.perSplitAndClass(index, groupSplit, SPLITS);
            int cell = firstEmptyCell(groupsIn, groupsPerClass);
            if (cell < 0) {
                return repairs;
            }
            int emptySplit = cell % SPLITS;
            int emptyClass = cell / SPLITS;
            int donor = splitWithMostGroups(groupsIn, emptyClass);
            if (donor < 0) {
                return repairs;
            }
            groupSplit[smallestGroupHolding(index, groups, groupSplit, donor, emptyClass, groupKey)] =
                    (byte) emptySplit;
            repairs++;
        }
        return repairs;
    }

    /**
     * The first cell (by class, then split) without a group, among the classes that have groups, as
     * {@code class * SPLITS + split}; -1 when every cell has one.
     */
    private static int firstEmptyCell(int[][] groupsIn, int[] groupsPerClass) {
        for (int c = 0; c < groupsPerClass.length; c++) {
            if (groupsPerClass[c] == 0) {
                continue;
            }
            for (int s = 0; s < SPLITS; s++) {
                if (groupsIn[s][c] == 0) {
                    return c * SPLITS + s;
                }
            }
        }
        return -1;
    }

    /** The split holding most groups of the class, when it can spare one; -1 when none can. */
    private static int splitWithMostGroups(int[][] groupsIn, int label) {
        int donor = -1;
        for (int s = 0; s < SPLITS; s++) {
            if (groupsIn[s][label] > 1 && (donor < 0 || groupsIn[s][label] > groupsIn[donor][label])) {
                donor = s;
            }
        }
        return donor;
    }

    /** The smallest group of the split holding the class (ties: the smaller seeded key), the cheapest to move. */
    private static int smallestGroupHolding(CompactIndex index, LeakageGroups groups, byte[] groupSplit, int split,
            int label, long[] groupKey) {
        int moved = -1;
        for (int g = 0; g < groups.count(); g++) {
            if (groupSplit[g] != split || !groups.holds(index, g, label)) {
                continue;
            }
            if (moved < 0 || groups.size(g) < groups.size(moved)
                    || groups.size(g) == groups.size(moved) && groupKey[g] < groupKey[moved]) {
                moved = g;
            }
        }
        return moved;
    }

    /** The stratum of an image: its class, or its class and subtype. */
    private static final class Strata {
        private final CompactIndex index;
        private final boolean byClass;
        /** Subtypes per class, "none" included (index subtype + 1). */
        private final int subtypes;
        final int count;

        Strata(CompactIndex index, SplitParameters p) {
            this.index = index;
            this.byClass = p.stratify() == SplitParameters.Stratify.CLASS;
            this.subtypes = index.subtypeCount() + 1;
            this.count = byClass ? index.classes().size() : index.classes().size() * subtypes;
        }

        int of(int i) {
            return byClass ? index.label(i) : index.label(i) * subtypes + index.subtype(i) + 1;
        }

        long[] sizes() {
            long[] size = new long[count];
            for (int i = 0; i < index.size(); i++) {
                size[of(i)]++;
            }
            return size;
        }
    }
}
