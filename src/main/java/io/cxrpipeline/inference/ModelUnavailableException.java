package io.cxrpipeline.inference;

import io.cxrpipeline.common.InfrastructureException;

/**
 * No model can be served right now (none promoted or configured, or it cannot be loaded). The message (which
 * names the model's version and location) is logged with the request id; the caller is told that the model is
 * unavailable.
 */
public class ModelUnavailableException extends InfrastructureException {

    public ModelUnavailableException(String message) {
        super("the model", "retry later: predictions resume once a model is promoted and loads", message, null);
    }
}
