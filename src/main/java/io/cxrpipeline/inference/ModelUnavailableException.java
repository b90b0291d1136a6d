package io.cxrpipeline.inference;

/** No model can be served right now (none promoted or configured, or it cannot be loaded): a 503. */
public class ModelUnavailableException extends RuntimeException {

    public ModelUnavailableException(String message) {
        super(message);
    }
}
