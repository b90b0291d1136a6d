package io.cxrpipeline.ingest;

import jakarta.inject.Inject;

import io.quarkus.funqy.Funq;

/**
 * The {@code index-objects} Lambda: S3 ObjectCreated and ObjectRemoved notifications for {@code images/}.
 * Fails the invocation when S3 or DynamoDB failed for any record, after trying all of them, so that Lambda
 * retries and the on-failure destination keeps what still fails. The same function can consume notifications
 * queued in SQS (e.g. a redrive of the on-failure queue): Funqy passes it each message body and reports
 * failed messages as batch item failures.
 */
public class IndexObjectsFunction {

    @Inject
    EventProcessor processor;

    @Funq("index-objects")
    public IndexSummary indexObjects(S3EventNotification event) {
        return processor.process(event);
    }
}
