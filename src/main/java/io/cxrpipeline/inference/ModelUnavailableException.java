package io.cxrpipeline.inference;

import io.cxrpipeline.common.DomainException;

/** No model can be served right now (none promoted or configured, or it cannot be loaded). */
public class ModelUnavailableException extends DomainException {

    public ModelUnavailableException(String message) {
        super(Kind.UNAVAILABLE, null, message, null);
    }
}
