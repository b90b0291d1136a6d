package io.cxrpipeline.splits;

import java.util.Arrays;

import io.cxrpipeline.common.Hashes;

/**
 * The rows of one split's manifest in a seeded shuffled order (hash of seed, image and copy number; ties by row
 * number), so that a reader streaming the manifest without shuffling does not see one class after the other.
 */
final class ShuffledRows {

    private static final long SALT_ROWS = 0x726f7773L;

    /** The images with rows, ascending. */
    private final int[] images;
    /** Row number of each image's first row; rows of image k run to {@code rowStart[k + 1] - 1}. */
    private final int[] rowStart;
    /** Per row, in output order: the shuffle key in the high 32 bits, the row number in the low 32. */
    private final long[] order;

    private ShuffledRows(int[] images, int[] rowStart, long[] order) {
        this.images = images;
        this.rowStart = rowStart;
        this.order = order;
    }

    static ShuffledRows of(SplitPlan plan, SplitName s) {
        int m = imagesWithRows(plan, s);
        int[] images = new int[m];
        int[] rowStart = new int[m + 1];
        long total = 0;
        int j = 0;
        for (int i = 0; i < plan.index().size(); i++) {
            if (plan.split(i) == s.ordinal() && plan.uses(i) > 0) {
                images[j] = i;
                rowStart[j] = (int) total;
                total += plan.uses(i);
                if (total > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("the " + s.id() + " manifest would exceed "
                            + Integer.MAX_VALUE + " rows");
                }
                j++;
            }
        }
        rowStart[m] = (int) total;
        return new ShuffledRows(images, rowStart, shuffle(plan, s, images, (int) total));
    }

    private static int imagesWithRows(SplitPlan plan, SplitName s) {
        int m = 0;
        for (int i = 0; i < plan.index().size(); i++) {
            if (plan.split(i) == s.ordinal() && plan.uses(i) > 0) {
                m++;
            }
        }
        return m;
    }

    private static long[] shuffle(SplitPlan plan, SplitName s, int[] images, int total) {
        long[] order = new long[total];
        int r = 0;
        for (int i : images) {
            for (int copy = 0; copy < plan.uses(i); copy++) {
                long h = Hashes.seeded(plan.parameters().seed(), SALT_ROWS + s.ordinal(),
                        plan.index().idHash(i) ^ Hashes.mix(copy + 1L));
                order[r] = ((h >>> 33) << 32) | r;
                r++;
            }
        }
        Arrays.sort(order);
        return order;
    }

    int size() {
        return order.length;
    }

    /** The row written at a position of the output, as a row number. */
    int row(int position) {
        return (int) (order[position] & 0xffffffffL);
    }

    /** Which image a row belongs to, as a position in {@link #image}. */
    int owner(int row) {
        int k = Arrays.binarySearch(rowStart, 0, images.length, row);
        // Not an image's first row: the image is the one whose first row precedes it.
        return k >= 0 ? k : -k - 2;
    }

    int image(int owner) {
        return images[owner];
    }

    /** The copy number of a row among its image's rows, from 0. */
    int copy(int owner, int row) {
        return row - rowStart[owner];
    }
}
