package io.cxrpipeline.ingest;

import io.cxrpipeline.common.NotFoundException;

/**
 * No object exists under the dataset's prefix. A class of its own rather than nested in ReindexService: a nested
 * class refers to its outer class, and every subclass of NotFoundException is in reach of every function.
 */
public class UnknownDatasetException extends NotFoundException {

    public UnknownDatasetException(String message) {
        super("dataset", message);
    }
}
