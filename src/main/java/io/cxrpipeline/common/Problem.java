package io.cxrpipeline.common;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** An RFC 9457 problem document, served as application/problem+json; {@code field} names the bad input. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String field, String instance) {

    public static Problem of(ApiException e, String instance) {
        return new Problem("about:blank", e.title(), e.status(), e.getMessage(), e.field(), instance);
    }
}
