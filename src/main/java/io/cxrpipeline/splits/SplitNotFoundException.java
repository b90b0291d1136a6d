package io.cxrpipeline.splits;

/** No split with that id has been recorded for the dataset. */
public class SplitNotFoundException extends RuntimeException {

    public SplitNotFoundException(String dataset, String splitId) {
        super("dataset '" + dataset + "' has no split '" + splitId + "'");
    }
}
