package io.cxrpipeline.splits;

import java.util.Arrays;

import io.cxrpipeline.common.IntSort;

/** The leakage groups of an index: images joined by patient and by content, with each group's members. */
final class LeakageGroups {

    /** The group of each image, groups numbered in the order of their first image. */
    private final int[] group;
    private final int count;
    /** Members of group g are {@code members[start[g]] .. members[start[g + 1] - 1]}, ascending. */
    private final int[] start;
    private final int[] members;

    private LeakageGroups(int[] group, int count, int[] start, int[] members) {
        this.group = group;
        this.count = count;
        this.start = start;
        this.members = members;
    }

    /** Joins images that share a patient and images that share a content id, as the options ask. */
    static LeakageGroups of(CompactIndex index, boolean byPatient, boolean byContent) {
        int[] parent = IntSort.identity(index.size());
        if (byPatient) {
            joinPatients(index, parent);
        }
        if (byContent) {
            joinContents(index, parent);
        }
        int[] group = new int[index.size()];
        int count = numberGroups(parent, group);
        // The union-find forest is no longer needed; let it go before the member lists are allocated.
        parent = null;
        int[] start = groupStarts(group, count);
        return new LeakageGroups(group, count, start, membersByGroup(group, start));
    }

    private static void joinPatients(CompactIndex index, int[] parent) {
        int[] first = new int[index.patientCount()];
        Arrays.fill(first, -1);
        for (int i = 0; i < index.size(); i++) {
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

    private static void joinContents(CompactIndex index, int[] parent) {
        int[] byContent = imagesByContent(index);
        for (int k = 1; k < byContent.length; k++) {
            if (index.content(byContent[k]) == index.content(byContent[k - 1])) {
                union(parent, byContent[k - 1], byContent[k]);
            }
        }
    }

    /**
     * Roots are the smallest image of their group (union keeps the smaller root), so numbering groups at their
     * root numbers them in the order of their first image id.
     */
    private static int numberGroups(int[] parent, int[] group) {
        int count = 0;
        for (int i = 0; i < group.length; i++) {
            int r = find(parent, i);
            group[i] = r == i ? count++ : group[r];
        }
        return count;
    }

    private static int[] groupStarts(int[] group, int count) {
        int[] start = new int[count + 1];
        for (int g : group) {
            start[g + 1]++;
        }
        for (int g = 0; g < count; g++) {
            start[g + 1] += start[g];
        }
        return start;
    }

    private static int[] membersByGroup(int[] group, int[] start) {
        int[] members = new int[group.length];
        int[] fill = Arrays.copyOf(start, start.length - 1);
        for (int i = 0; i < group.length; i++) {
            members[fill[group[i]]++] = i;
        }
        return members;
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

    int count() {
        return count;
    }

    /** The group of each image (shared, not copied: the plan keeps it). */
    int[] imageGroups() {
        return group;
    }

    int size(int g) {
        return start[g + 1] - start[g];
    }

    /** Position of the group's first member in {@link #member}; members run to {@link #end}. */
    int begin(int g) {
        return start[g];
    }

    int end(int g) {
        return start[g + 1];
    }

    /** The image at a position of the member lists. */
    int member(int k) {
        return members[k];
    }

    /** The first image of a group, the one whose id hash seeds its tie-breaking key. */
    int firstImage(int g) {
        return members[start[g]];
    }

    boolean holds(CompactIndex index, int g, int label) {
        for (int k = start[g]; k < start[g + 1]; k++) {
            if (index.label(members[k]) == label) {
                return true;
            }
        }
        return false;
    }

    /** How many groups hold an image of each class, per split of the group (all in split 0 when groupSplit is null). */
    int[][] perSplitAndClass(CompactIndex index, byte[] groupSplit, int splits) {
        int classes = index.classes().size();
        int[][] counts = new int[splits][classes];
        int[] lastGroupSeen = new int[classes];
        Arrays.fill(lastGroupSeen, -1);
        for (int g = 0; g < count; g++) {
            for (int k = start[g]; k < start[g + 1]; k++) {
                int c = index.label(members[k]);
                if (lastGroupSeen[c] != g) {
                    lastGroupSeen[c] = g;
                    counts[groupSplit == null ? 0 : groupSplit[g]][c]++;
                }
            }
        }
        return counts;
    }

    /** The split of each image, from the split of its group. */
    byte[] imageSplits(byte[] groupSplit) {
        byte[] split = new byte[group.length];
        for (int g = 0; g < count; g++) {
            for (int k = start[g]; k < start[g + 1]; k++) {
                split[members[k]] = groupSplit[g];
            }
        }
        return split;
    }
}
