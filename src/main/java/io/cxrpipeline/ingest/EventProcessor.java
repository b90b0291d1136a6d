package io.cxrpipeline.ingest;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;

import io.cxrpipeline.ingest.IndexOutcome.Outcome;
import io.cxrpipeline.common.InfrastructureException;

/**
 * Applies every record of an event notification, one at a time, each in isolation: a bad record is
 * recorded and the others go on. If any record failed for lack of S3 or DynamoDB, the whole notification
 * fails afterwards ({@link IndexingFailedException}) so that Lambda retries it; records already applied are
 * then recognised as redeliveries and change nothing.
 */
public final class EventProcessor {

    private static final Logger LOG = Logger.getLogger(EventProcessor.class);

    private final IndexingService service;
    private final IngestLog log;

    public EventProcessor(IndexingService service, IngestLog log) {
        this.service = service;
        this.log = log;
    }

    /** The notification failed in part; the message names the records. */
    public static class IndexingFailedException extends RuntimeException {

        public IndexingFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public IndexSummary process(S3EventNotification notification) {
        // Records is absent in the s3:TestEvent S3 sends when a notification is configured.
        List<S3EventNotification.Record> records = notification == null || notification.records() == null
                ? List.of() : notification.records();
        List<IndexOutcome> outcomes = new ArrayList<>(records.size());
        List<String> failed = new ArrayList<>();
        Throwable firstFailure = null;
        for (S3EventNotification.Record record : records) {
            long start = System.nanoTime();
            String rawKey = record.s3() != null && record.s3().object() != null ? record.s3().object().key() : null;
            IndexOutcome outcome;
            Throwable error = null;
            ObjectEvent event = null;
            try {
                event = ObjectEvent.from(record);
            } catch (IllegalArgumentException e) {
                // The record itself is malformed: retrying cannot help, so it is logged as an error and skipped.
                error = e;
            }
            try {
                outcome = event == null
                        ? new IndexOutcome(rawKey, null, null, null, Outcome.INVALID, null, error.getMessage(), 0, 0)
                        : service.apply(event);
            } catch (RuntimeException e) {
                // S3 or DynamoDB failed (or a fault of ours): try the others, then fail the invocation.
                error = e;
                String key = event != null ? event.key() : rawKey;
                outcome = new IndexOutcome(key, null, null, null, Outcome.FAILED, null, e.getMessage(), 0, 0);
                failed.add(key);
                if (firstFailure == null) {
                    firstFailure = e;
                }
                if (!(e instanceof InfrastructureException)) {
                    LOG.errorf(e, "indexing %s failed", key);
                }
            }
            outcome = outcome.withTiming(record.eventName(), (System.nanoTime() - start) / 1_000_000);
            log.log("event", outcome, error);
            outcomes.add(outcome);
        }
        if (!failed.isEmpty()) {
            throw new IndexingFailedException(failed.size() + " of " + records.size()
                    + " records failed and will be retried: " + String.join(", ", failed), firstFailure);
        }
        Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
        outcomes.forEach(o -> counts.merge(o.outcome(), 1, Integer::sum));
        return new IndexSummary(outcomes.size(), counts, outcomes);
    }
}
