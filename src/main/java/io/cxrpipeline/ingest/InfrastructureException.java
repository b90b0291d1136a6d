package io.cxrpipeline.ingest;

/**
 * S3 or DynamoDB could not be reached or did not answer in time (throttled past the SDK's retries,
 * 5xx, access denied), or concurrent writers kept a content group from settling. The record is not
 * lost: the invocation fails after every record was tried, so that Lambda retries it and the
 * on-failure destination keeps it.
 */
public class InfrastructureException extends RuntimeException {

    public InfrastructureException(String message, Throwable cause) {
        super(message, cause);
    }

    public InfrastructureException(String message) {
        super(message);
    }
}
