package io.cxrpipeline.splits;

import io.cxrpipeline.common.NotFoundException;

/** No split with that id has been recorded for the dataset. */
public class SplitNotFoundException extends NotFoundException {

    public SplitNotFoundException(String dataset, String splitId) {
        super("splitId", "dataset '" + dataset + "' has no split '" + splitId + "'");
    }
}
