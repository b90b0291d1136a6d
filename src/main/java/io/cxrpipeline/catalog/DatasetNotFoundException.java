package io.cxrpipeline.catalog;

import io.cxrpipeline.common.NotFoundException;

/** The index holds nothing usable for a dataset: it was never uploaded, or holds no images of the kind asked for. */
public class DatasetNotFoundException extends NotFoundException {

    private final String dataset;

    public DatasetNotFoundException(String dataset, String message) {
        super("dataset", message);
        this.dataset = dataset;
    }

    public String dataset() {
        return dataset;
    }
}
