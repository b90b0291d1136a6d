package io.cxrpipeline.ingest;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An S3 event notification as S3 sends it to Lambda. Only the fields indexing reads are modelled; keys arrive
 * URL-encoded. (Inside SQS messages it arrives unwrapped: Funqy's event handling passes each message body.)
 */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
public record S3EventNotification(@JsonProperty("Records") List<Record> records) {

    /** One event. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Record(String eventSource, String eventName, String eventTime, S3 s3) {
    }

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record S3(Bucket bucket, S3Object object) {
    }

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Bucket(String name) {
    }

    /** The object: {@code key} URL-encoded ({@code +} for space); size and eTag absent on removals. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record S3Object(
            @JsonProperty("key") String key,
            @JsonProperty("size") Long size,
            @JsonProperty("eTag") String eTag,
            @JsonProperty("versionId") String versionId,
            @JsonProperty("sequencer") String sequencer) {
    }
}
