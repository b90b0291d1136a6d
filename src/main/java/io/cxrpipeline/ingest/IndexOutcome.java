package io.cxrpipeline.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.cxrpipeline.catalog.ImageStatus;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What indexing did with one object.
 *
 * @param status    the index entry's status after the operation, null when there is none
 * @param reason    the entry's reason, or why the record was ignored, invalid or failed
 * @param bytesRead bytes read from the object
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IndexOutcome(String key, String dataset, String imageId, String eventName, Outcome outcome,
        ImageStatus status, String reason, long bytesRead, long durationMs) {

    /** The kinds of outcome. */
    @RegisterForReflection
    public enum Outcome {
        /** The index entry was written (its status says what the object is). */
        WRITTEN,
        /** The event was applied before (a redelivery) or the entry is up to date: nothing changed. */
        UNCHANGED,
        /** A later event for the key was applied already: this older one is ignored. */
        STALE,
        /** The object changed or disappeared since the event; the later event indexes it. */
        SUPERSEDED,
        /** Not an image of a dataset (other bucket, outside the prefix, a folder marker, another event type). */
        IGNORED,
        /** The record itself is malformed (no key, bad percent-encoding, bad sequencer). */
        INVALID,
        /** S3 or DynamoDB failed; the invocation fails after the other records so that it is retried. */
        FAILED
    }

    IndexOutcome withTiming(String eventName, long durationMs) {
        return new IndexOutcome(key, dataset, imageId, eventName, outcome, status, reason, bytesRead, durationMs);
    }
}
