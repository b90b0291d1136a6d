package io.cxrpipeline.catalog;

/** The index could not be read (throttled, unreachable, misconfigured): the request may be retried. */
public class CatalogReadException extends RuntimeException {

    public CatalogReadException(String message, Throwable cause) {
        super(message, cause);
    }
}
