package io.cxrpipeline.splits;

import java.util.ArrayList;
import java.util.Arrays;
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
    private static final long SALT_BALANCE = 0x62616c616e6365L;

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
        int n = index.size();
        int classes = index.classes().size();
        long seed = p.seed();

        // 1. Groups.
        int[] parent = IntSort.identity(n);
        if (p.groupByPatient()) {
            int[] first = new int[index.patientCount()];
            Arrays.fill(first, -1);
            for (int i = 0; i < n; i++) {
                int pt = index.patient(i);
                if (pt >= 0) {
                    if (first[pt] < 0) {
                        first[pt] = i;
                    } else {
                        union(parent, first[pt], i);
                    }
                }
            }
        }
        if (p.groupByContent()) {
            int[] byContent = imagesByContent(index);
            for (int k = 1; k < byContent.length; k++) {
                if (index.content(byContent[k]) == index.content(byContent[k - 1])) {
                    union(parent, byContent[k - 1], byContent[k]);
                }
            }
        }
        // Roots are the smallest image of their group (union keeps the smaller root), so groups are numbered
        // in the order of their first image id.
        int[] group = new int[n];
        int groupCount = 0;
        for (int i = 0; i < n; i++) {
            int r = find(parent, i);
            group[i] = r == i ? groupCount++ : group[r];
        }
        parent = null;
        int[] groupStart = new int[groupCount + 1];
        for (int i = 0; i < n; i++) {
            groupStart[group[i] + 1]++;
        }
        for (int g = 0; g < groupCount; g++) {
            groupStart[g + 1] += groupStart[g];
        }
        int[] members = new int[n];
        int[] fill = Arrays.copyOf(groupStart, groupCount);
        for (int i = 0; i < n; i++) {
            members[fill[group[i]]++] = i;
        }
        fill = null;

        // Strata, and the groups that hold each class.
        int subtypes = index.subtypeCount() + 1;
        int strata = p.stratify() == SplitParameters.Stratify.CLASS ? classes : classes * subtypes;
        long[] stratumSize = new long[strata];
        for (int i = 0; i < n; i++) {
            stratumSize[stratum(index, p, subtypes, i)]++;
        }
        int[] groupsPerClass = groupsPerSplitAndClass(index, groupCount, groupStart, members, null, 1, classes)[0];
        for (int c = 0; c < classes; c++) {
            if (groupsPerClass[c] > 0 && groupsPerClass[c] < SPLITS) {
                throw new InsufficientGroupsException(index.classes().get(c), groupsPerClass[c], SPLITS);
            }
        }

        checkRatios(p, groupCount);

        // 2. Greedy assignment, largest groups first.
        long[] groupKey = new long[groupCount];
        for (int g = 0; g < groupCount; g++) {
            groupKey[g] = Hashes.seeded(seed, SALT_GROUPS, index.idHash(members[groupStart[g]]));
        }
        int[] order = IntSort.identity(groupCount);
        IntSort.sort(order, (a, b) -> {
            int c = Integer.compare(groupStart[b + 1] - groupStart[b], groupStart[a + 1] - groupStart[a]);
            if (c != 0) {
                return c;
            }
            c = Long.compare(groupKey[a], groupKey[b]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        double[][] target = new double[SPLITS][strata];
        for (SplitName s : SplitName.values()) {
            for (int st = 0; st < strata; st++) {
                target[s.ordinal()][st] = p.ratio(s) * stratumSize[st];
            }
        }
        long[][] assigned = new long[SPLITS][strata];
        byte[] groupSplit = new byte[groupCount];
        int[] vector = new int[strata];
        int[] touched = new int[strata];
        for (int g : order) {
            int t = 0;
            for (int k = groupStart[g]; k < groupStart[g + 1]; k++) {
                int st = stratum(index, p, subtypes, members[k]);
                if (vector[st]++ == 0) {
                    touched[t++] = st;
                }
            }
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int s = 0; s < SPLITS; s++) {
                double score = 0;
                for (int k = 0; k < t; k++) {
                    int st = touched[k];
                    score += vector[st] * (target[s][st] - assigned[s][st]) / target[s][st];
                }
                if (score > bestScore) {
                    bestScore = score;
                    best = s;
                }
            }
            groupSplit[g] = (byte) best;
            for (int k = 0; k < t; k++) {
                assigned[best][touched[k]] += vector[touched[k]];
                vector[touched[k]] = 0;
            }
        }

        // 3. Repair: every class that has images gets images in every split.
        int repairs = repair(index, groupCount, groupStart, members, groupSplit, groupKey, groupsPerClass);

        byte[] split = new byte[n];
        for (int g = 0; g < groupCount; g++) {
            for (int k = groupStart[g]; k < groupStart[g + 1]; k++) {
                split[members[k]] = groupSplit[g];
            }
        }
        members = null;

        // 4. Balancing.
        int[] uses = new int[n];
        List<SplitPlan.SplitBalance> balances = new ArrayList<>();
        double trainRatio = p.ratio(SplitName.TRAIN);
        for (SplitName s : SplitName.values()) {
            balances.add(balance(index, p, s, split, uses, p.ratio(s) / trainRatio));
        }
        return new SplitPlan(index, p, split, uses, group, groupCount, groupsPerClass, balances, repairs);
    }

    private static int stratum(CompactIndex index, SplitParameters p, int subtypes, int i) {
        return p.stratify() == SplitParameters.Stratify.CLASS ? index.label(i)
                : index.label(i) * subtypes + index.subtype(i) + 1;
    }

    /** The images that have a content id, sorted by its hash (then by image). */
    static int[] imagesByContent(CompactIndex index) {
        int count = 0;
        for (int i = 0; i < index.size(); i++) {
            if (index.content(i) != CompactIndex.NO_CONTENT) {
                count++;
            }
        }
        int[] images = new int[count];
        int k = 0;
        for (int i = 0; i < index.size(); i++) {
            if (index.content(i) != CompactIndex.NO_CONTENT) {
                images[k++] = i;
            }
        }
        IntSort.sort(images, (a, b) -> {
            int c = Long.compare(index.content(a), index.content(b));
            return c != 0 ? c : Integer.compare(a, b);
        });
        return images;
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    private static void union(int[] parent, int a, int b) {
        int ra = find(parent, a);
        int rb = find(parent, b);
        if (ra < rb) {
            parent[rb] = ra;
        } else if (rb < ra) {
            parent[ra] = rb;
        }
    }

    private static int repair(CompactIndex index, int groupCount, int[] groupStart, int[] members, byte[] groupSplit,
            long[] groupKey, int[] groupsPerClass) {
        int classes = index.classes().size();
        int repairs = 0;
        // Each move fills one empty (split, class) cell; a move can empty another class's cell only when the
        // group holds several classes, so the number of rounds is small; the bound only guards the loop.
        for (int round = 0; round < 4 * SPLITS * classes; round++) {
            int[][] groupsIn = groupsPerSplitAndClass(index, groupCount, groupStart, members, groupSplit, SPLITS, classes);
            int emptySplit = -1;
            int emptyClass = -1;
            for (int c = 0; c < classes && emptySplit < 0; c++) {
                if (groupsPerClass[c] == 0) {
                    continue;
                }
                for (int s = 0; s < SPLITS; s++) {
                    if (groupsIn[s][c] == 0) {
                        emptySplit = s;
                        emptyClass = c;
                        break;
                    }
                }
            }
            if (emptySplit < 0) {
                return repairs;
            }
            int donor = -1;
            for (int s = 0; s < SPLITS; s++) {
                if (groupsIn[s][emptyClass] > 1 && (donor < 0 || groupsIn[s][emptyClass] > groupsIn[donor][emptyClass])) {
                    donor = s;
                }
            }
            if (donor < 0) {
                return repairs;
            }
            int moved = -1;
            for (int g = 0; g < groupCount; g++) {
                if (groupSplit[g] != donor || !holds(index, groupStart, members, g, emptyClass)) {
                    continue;
                }
                if (moved < 0 || size(groupStart, g) < size(groupStart, moved)
                        || size(groupStart, g) == size(groupStart, moved) && groupKey[g] < groupKey[moved]) {
                    moved = g;
                }
            }
            groupSplit[moved] = (byte) emptySplit;
            repairs++;
        }
        return repairs;
    }

    /** How many groups hold an image of each class, per split of the group (all in split 0 when groupSplit is null). */
    private static int[][] groupsPerSplitAndClass(CompactIndex index, int groupCount, int[] groupStart, int[] members,
            byte[] groupSplit, int splits, int classes) {
        int[][] count = new int[splits][classes];
        int[] lastGroupSeen = new int[classes];
        Arrays.fill(lastGroupSeen, -1);
        for (int g = 0; g < groupCount; g++) {
            for (int k = groupStart[g]; k < groupStart[g + 1]; k++) {
                int c = index.label(members[k]);
                if (lastGroupSeen[c] != g) {
                    lastGroupSeen[c] = g;
                    count[groupSplit == null ? 0 : groupSplit[g]][c]++;
                }
            }
        }
        return count;
    }

    private static boolean holds(CompactIndex index, int[] groupStart, int[] members, int g, int label) {
        for (int k = groupStart[g]; k < groupStart[g + 1]; k++) {
            if (index.label(members[k]) == label) {
                return true;
            }
        }
        return false;
    }

    private static int size(int[] groupStart, int g) {
        return groupStart[g + 1] - groupStart[g];
    }

    private static SplitPlan.SplitBalance balance(CompactIndex index, SplitParameters p, SplitName s, byte[] split,
            int[] uses, double scale) {
        int classes = index.classes().size();
        int n = index.size();
        int[] count = new int[classes];
        for (int i = 0; i < n; i++) {
            if (split[i] == s.ordinal()) {
                count[index.label(i)]++;
            }
        }
        int present = 0;
        for (int c = 0; c < classes; c++) {
            if (count[c] > 0) {
                present++;
            }
        }
        long[] presentCounts = new long[present];
        int k = 0;
        for (int c = 0; c < classes; c++) {
            if (count[c] > 0) {
                presentCounts[k++] = count[c];
            }
        }
        SplitParameters.Balance strategy = p.balance(s);
        SplitParameters.Target target = p.resolvedTarget(s);
        Long targetCount = target == null ? null : target.resolve(presentCounts, scale);
        List<SplitPlan.ClassBalance> result = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            int[] images = new int[count[c]];
            int m = 0;
            for (int i = 0; i < n; i++) {
                if (split[i] == s.ordinal() && index.label(i) == c) {
                    images[m++] = i;
                }
            }
            long rows = 0;
            int minUses = Integer.MAX_VALUE;
            int maxUses = 0;
            if (targetCount != null && m > 0 && (strategy == SplitParameters.Balance.OVERSAMPLE && targetCount > m
                    || strategy == SplitParameters.Balance.UNDERSAMPLE && targetCount < m)) {
                long[] key = new long[m];
                for (int j = 0; j < m; j++) {
                    key[j] = Hashes.seeded(p.seed() + s.ordinal(), SALT_BALANCE + c, index.idHash(images[j]));
                }
                int[] seeded = IntSort.identity(m);
                IntSort.sort(seeded, (a, b) -> {
                    int cmp = Long.compare(key[a], key[b]);
                    return cmp != 0 ? cmp : Integer.compare(a, b);
                });
                for (int j = 0; j < m; j++) {
                    int u;
                    if (strategy == SplitParameters.Balance.OVERSAMPLE) {
                        long base = targetCount / m;
                        long extra = targetCount % m;
                        u = (int) (base + (j < extra ? 1 : 0));
                    } else {
                        u = j < targetCount ? 1 : 0;
                    }
                    uses[images[seeded[j]]] = u;
                }
            } else {
                for (int j = 0; j < m; j++) {
                    uses[images[j]] = 1;
                }
            }
            for (int j = 0; j < m; j++) {
                int u = uses[images[j]];
                rows += u;
                minUses = Math.min(minUses, u);
                maxUses = Math.max(maxUses, u);
            }
            result.add(new SplitPlan.ClassBalance(m, rows, m == 0 ? 0 : minUses, maxUses));
        }
        return new SplitPlan.SplitBalance(strategy, target, targetCount, result);
    }
}
