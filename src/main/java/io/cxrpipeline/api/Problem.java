package io.cxrpipeline.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An RFC 9457 problem document, served as application/problem+json; {@code field} names the bad input and
 * {@code requestId} (server-side problems only) finds the log line with the details.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String field, String instance,
        String requestId) {
}
