package io.cxrpipeline.inference;

/**
 * One request's hold on the served model: the session stays open until the lease is closed, even if a promotion
 * swaps the model meanwhile. Use in try-with-resources.
 */
public final class ModelLease implements AutoCloseable {

    private final OnnxModel model;
    private boolean closed;

    ModelLease(OnnxModel model) {
        this.model = model;
    }

    public OnnxModel model() {
        return model;
    }

    /** Gives the hold back; closing twice is harmless. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            model.release();
        }
    }
}
