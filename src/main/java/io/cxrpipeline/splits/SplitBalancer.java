package io.cxrpipeline.splits;

import java.util.ArrayList;
import java.util.List;

import io.cxrpipeline.common.Hashes;
import io.cxrpipeline.common.IntSort;

/** Decides how many manifest rows each image of one split gets, per class, from the split's own images only. */
final class SplitBalancer {

    private static final long SALT_BALANCE = 0x62616c616e6365L;

    private SplitBalancer() {
    }

    /** Fills {@code uses} for every image and says what it did, per split in {@link SplitName} order. */
    static List<SplitPlan.SplitBalance> balance(CompactIndex index, SplitParameters p, byte[] split, int[] uses) {
        List<SplitPlan.SplitBalance> balances = new ArrayList<>();
        double trainRatio = p.ratio(SplitName.TRAIN);
        for (SplitName s : SplitName.values()) {
            balances.add(balance(index, p, s, split, uses, p.ratio(s) / trainRatio));
        }
        return balances;
    }

    /** @param scale the split's size relative to train, for targets given relative to train */
    private static SplitPlan.SplitBalance balance(CompactIndex index, SplitParameters p, SplitName s, byte[] split,
            int[] uses, double scale) {
        int[] count = imagesPerClass(index, split, s);
        SplitParameters.Balance strategy = p.balance(s);
        SplitParameters.Target target = p.resolvedTarget(s);
        Long targetCount = target == null ? null : target.resolve(presentCounts(count), scale);
        List<SplitPlan.ClassBalance> result = new ArrayList<>();
        for (int c = 0; c < count.length; c++) {
            int[] images = imagesOf(index, split, s, c, count[c]);
            if (targetCount != null && resamples(strategy, targetCount, images.length)) {
                resample(index, p.seed() + s.ordinal(), SALT_BALANCE + c, strategy, targetCount, images, uses);
            } else {
                for (int i : images) {
                    uses[i] = 1;
                }
            }
            result.add(classBalance(images, uses));
        }
        return new SplitPlan.SplitBalance(strategy, target, targetCount, result);
    }

    private static int[] imagesPerClass(CompactIndex index, byte[] split, SplitName s) {
        int[] count = new int[index.classes().size()];
        for (int i = 0; i < index.size(); i++) {
            if (split[i] == s.ordinal()) {
                count[index.label(i)]++;
            }
        }
        return count;
    }

    /** The counts of the classes the split holds: absent classes take no part in a target such as the majority. */
    private static long[] presentCounts(int[] count) {
        int present = 0;
        for (int n : count) {
            if (n > 0) {
                present++;
            }
        }
        long[] presentCounts = new long[present];
        int k = 0;
        for (int n : count) {
            if (n > 0) {
                presentCounts[k++] = n;
            }
        }
        return presentCounts;
    }

    /** The images of split {@code s} and class {@code label}, ascending. */
    private static int[] imagesOf(CompactIndex index, byte[] split, SplitName s, int label, int count) {
        int[] images = new int[count];
        int m = 0;
        for (int i = 0; i < index.size(); i++) {
            if (split[i] == s.ordinal() && index.label(i) == label) {
                images[m++] = i;
            }
        }
        return images;
    }

    private static boolean resamples(SplitParameters.Balance strategy, long targetCount, int images) {
        return images > 0 && (strategy == SplitParameters.Balance.OVERSAMPLE && targetCount > images
                || strategy == SplitParameters.Balance.UNDERSAMPLE && targetCount < images);
    }

    /**
     * Oversampling gives each image ⌊target/m⌋ or ⌈target/m⌉ uses, undersampling 1 or 0; the images that get the
     * larger number are the first in a seeded order of their ids.
     */
    private static void resample(CompactIndex index, long seed, long salt, SplitParameters.Balance strategy,
            long targetCount, int[] images, int[] uses) {
        int m = images.length;
        long[] key = new long[m];
        for (int j = 0; j < m; j++) {
            key[j] = Hashes.seeded(seed, salt, index.idHash(images[j]));
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
    }

    private static SplitPlan.ClassBalance classBalance(int[] images, int[] uses) {
        long rows = 0;
        int minUses = Integer.MAX_VALUE;
        int maxUses = 0;
        for (int i : images) {
            int u = uses[i];
            rows += u;
            minUses = Math.min(minUses, u);
            maxUses = Math.max(maxUses, u);
        }
        return new SplitPlan.ClassBalance(images.length, rows, images.length == 0 ? 0 : minUses, maxUses);
    }
}
