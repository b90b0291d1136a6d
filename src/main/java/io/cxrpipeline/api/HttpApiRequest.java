package io.cxrpipeline.api;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** An API Gateway HTTP API (payload format 2.0) proxy event, reduced to what the routes read. */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
public record HttpApiRequest(
        String version,
        String routeKey,
        String rawPath,
        String rawQueryString,
        Map<String, String> headers,
        Map<String, String> queryStringParameters,
        Map<String, String> pathParameters,
        RequestContext requestContext,
        String body,
        boolean isBase64Encoded) {

    /** The request context: only the HTTP method and path are read. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RequestContext(Http http, String requestId) {
    }

    /** Method and path as API Gateway received them. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Http(String method, String path, String sourceIp) {
    }

    /** The HTTP method, upper case. */
    public String method() {
        if (requestContext != null && requestContext.http() != null && requestContext.http().method() != null) {
            return requestContext.http().method().toUpperCase(java.util.Locale.ROOT);
        }
        if (routeKey != null && routeKey.contains(" ")) {
            return routeKey.substring(0, routeKey.indexOf(' ')).toUpperCase(java.util.Locale.ROOT);
        }
        return "GET";
    }

    /** The request path without query string. */
    public String path() {
        if (rawPath != null) {
            return rawPath;
        }
        return requestContext != null && requestContext.http() != null ? requestContext.http().path() : "/";
    }

    /** A header, looked up case-insensitively (HTTP API lower-cases them, clients may not). */
    public String header(String name) {
        if (headers == null) {
            return null;
        }
        for (Map.Entry<String, String> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** The body as bytes, decoding base64 when API Gateway encoded it. */
    public byte[] bodyBytes() {
        if (body == null) {
            return new byte[0];
        }
        if (isBase64Encoded) {
            try {
                return java.util.Base64.getDecoder().decode(body);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("body", "the body is marked base64 but is not valid base64");
            }
        }
        return body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
