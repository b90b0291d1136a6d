package io.cxrpipeline.splits;

/** The three splits, in manifest order. */
public enum SplitName {
    TRAIN("train"), VAL("val"), TEST("test");

    private final String id;

    SplitName(String id) {
        this.id = id;
    }

    /** The lower-case name used in file names, JSON and the API. */
    public String id() {
        return id;
    }
}
