package io.cxrpipeline.splits;

/**
 * Counts the manifest rows as they are written and checks them for leakage, so that the summary states what the
 * files hold rather than what the plan intended.
 */
final class WrittenRows {

    private final SplitPlan plan;
    private final long[] rows;
    /** Rows per split, class and subtype (index subtype + 1). */
    private final long[][][] after;
    /** Per image, a bit for each split it has rows in. */
    private final byte[] imageMask;

    WrittenRows(SplitPlan plan) {
        this.plan = plan;
        CompactIndex index = plan.index();
        int splits = SplitName.values().length;
        rows = new long[splits];
        after = new long[splits][index.classes().size()][index.subtypeCount() + 1];
        imageMask = new byte[index.size()];
    }

    void add(SplitName s, int image) {
        CompactIndex index = plan.index();
        after[s.ordinal()][index.label(image)][index.subtype(image) + 1]++;
        imageMask[image] |= (byte) (1 << s.ordinal());
        rows[s.ordinal()]++;
    }

    /** The leakage check and per-split entity counts, from the image masks of the rows written. */
    ManifestWriter.Output output() {
        CompactIndex index = plan.index();
        byte[] patientMask = new byte[index.patientCount()];
        byte[] groupMask = new byte[plan.groupCount()];
        long imagesInSeveral = 0;
        for (int i = 0; i < index.size(); i++) {
            byte mask = imageMask[i];
            if (Integer.bitCount(mask & 0xff) > 1) {
                imagesInSeveral++;
            }
            if (index.patient(i) >= 0) {
                patientMask[index.patient(i)] |= mask;
            }
            groupMask[plan.group(i)] |= mask;
        }
        long contentInSeveral = contentsInSeveralSplits(index);
        long[] patientsPerSplit = new long[rows.length];
        long patientsInSeveral = countMasks(patientMask, patientsPerSplit);
        long[] groupsPerSplit = new long[rows.length];
        long groupsInSeveral = countMasks(groupMask, groupsPerSplit);
        boolean passed = imagesInSeveral == 0 && patientsInSeveral == 0 && contentInSeveral == 0
                && groupsInSeveral == 0;
        return new ManifestWriter.Output(rows, after, patientsPerSplit, groupsPerSplit,
                new SplitSummary.Leakage("the rows of train.jsonl, val.jsonl and test.jsonl", imagesInSeveral,
                        patientsInSeveral, contentInSeveral, groupsInSeveral, passed));
    }

    /** Content ids whose images have rows in more than one split: runs of equal content in content order. */
    private long contentsInSeveralSplits(CompactIndex index) {
        long several = 0;
        int[] byContent = LeakageGroups.imagesByContent(index);
        int runMask = 0;
        for (int k = 0; k < byContent.length; k++) {
            if (k > 0 && index.content(byContent[k]) != index.content(byContent[k - 1])) {
                several += Integer.bitCount(runMask) > 1 ? 1 : 0;
                runMask = 0;
            }
            runMask |= imageMask[byContent[k]] & 0xff;
        }
        return several + (Integer.bitCount(runMask) > 1 ? 1 : 0);
    }

    private static long countMasks(byte[] masks, long[] perSplit) {
        long several = 0;
        for (byte mask : masks) {
            int m = mask & 0xff;
            if (Integer.bitCount(m) > 1) {
                several++;
            }
            for (int s = 0; s < perSplit.length; s++) {
                if ((m & (1 << s)) != 0) {
                    perSplit[s]++;
                }
            }
        }
        return several;
    }
}
