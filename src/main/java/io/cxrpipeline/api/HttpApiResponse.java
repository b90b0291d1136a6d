package io.cxrpipeline.api;

import java.util.Map;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** An API Gateway HTTP API (payload format 2.0) proxy response. */
@RegisterForReflection
public record HttpApiResponse(int statusCode, Map<String, String> headers, String body, boolean isBase64Encoded) {

    /** A JSON response. */
    public static HttpApiResponse json(int status, String json) {
        return new HttpApiResponse(status, Map.of("content-type", "application/json"), json, false);
    }

    /** A JSON response with a Location header (201, 202). */
    public static HttpApiResponse json(int status, String json, String location) {
        return new HttpApiResponse(status, Map.of("content-type", "application/json", "location", location), json,
                false);
    }
}
