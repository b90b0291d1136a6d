package io.cxrpipeline.splits;

import io.cxrpipeline.common.UnprocessableException;

/** A class has fewer leakage groups (patients or identical-content sets) than there are splits to populate. */
public class InsufficientGroupsException extends UnprocessableException {

    private final String label;
    private final int groups;
    private final int needed;

    public InsufficientGroupsException(String label, int groups, int needed) {
        super(null, "class " + label + " has " + groups + (groups == 1 ? " group" : " groups")
                + " of images (images sharing a patient or identical content form one group); train, val and test"
                + " each need at least one, so it needs at least " + needed);
        this.label = label;
        this.groups = groups;
        this.needed = needed;
    }

    public String label() {
        return label;
    }

    public int groups() {
        return groups;
    }

    public int needed() {
        return needed;
    }
}
