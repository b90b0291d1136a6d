package io.cxrpipeline.splits;

import java.util.List;

/**
 * Where every image goes and how often it is used: the result of {@link SplitPlanner}, before anything is
 * written. Arrays are indexed by image (the order of {@link CompactIndex}).
 */
public final class SplitPlan {

    /** Balancing of one class in one split. */
    public record ClassBalance(long images, long rows, int minUses, int maxUses) {
    }

    /** Balancing of one split: strategy, resolved target and what it did per class (by class index). */
    public record SplitBalance(SplitParameters.Balance strategy, SplitParameters.Target target, Long targetCount,
            List<ClassBalance> classes) {
    }

    private final CompactIndex index;
    private final SplitParameters parameters;
    private final byte[] split;
    private final int[] uses;
    private final int[] group;
    private final int groupCount;
    private final int[] groupsPerClass;
    private final List<SplitBalance> balances;
    private final int repairs;

    SplitPlan(CompactIndex index, SplitParameters parameters, byte[] split, int[] uses, int[] group, int groupCount,
            int[] groupsPerClass, List<SplitBalance> balances, int repairs) {
        this.index = index;
        this.parameters = parameters;
        this.split = split;
        this.uses = uses;
        this.group = group;
        this.groupCount = groupCount;
        this.groupsPerClass = groupsPerClass;
        this.balances = balances;
        this.repairs = repairs;
    }

    public CompactIndex index() {
        return index;
    }

    public SplitParameters parameters() {
        return parameters;
    }

    /** The split of an image (ordinal of {@link SplitName}). */
    public int split(int image) {
        return split[image];
    }

    /** How many manifest rows the image gets in its split (0 when undersampling left it out). */
    public int uses(int image) {
        return uses[image];
    }

    /** The leakage group of an image: images sharing a patient or content, transitively. */
    public int group(int image) {
        return group[image];
    }

    public int groupCount() {
        return groupCount;
    }

    /** Number of groups holding at least one image of a class. */
    public int groupsOfClass(int label) {
        return groupsPerClass[label];
    }

    /** Balancing per split, in {@link SplitName} order. */
    public SplitBalance balance(SplitName s) {
        return balances.get(s.ordinal());
    }

    /** Groups moved after the greedy pass so that every class has images in every split. */
    public int repairs() {
        return repairs;
    }
}
