package io.cxrpipeline.api;

/** A request that cannot be served, carrying the HTTP status and the RFC 9457 problem details. */
public class ApiException extends RuntimeException {

    private final int status;
    private final String title;
    private final String field;
    private final java.util.Map<String, String> headers;

    public ApiException(int status, String title, String detail, String field) {
        this(status, title, detail, field, java.util.Map.of());
    }

    /** With response headers, e.g. {@code allow} on a 405. */
    public ApiException(int status, String title, String detail, String field, java.util.Map<String, String> headers) {
        super(detail);
        this.status = status;
        this.title = title;
        this.field = field;
        this.headers = java.util.Map.copyOf(headers);
    }

    public static ApiException badRequest(String field, String detail) {
        return new ApiException(400, "Invalid request", detail, field);
    }

    public static ApiException notFound(String detail) {
        return new ApiException(404, "Not found", detail, null);
    }

    public static ApiException conflict(String detail) {
        return new ApiException(409, "Conflict", detail, null);
    }

    public static ApiException tooLarge(String field, String detail) {
        return new ApiException(413, "Payload too large", detail, field);
    }

    public static ApiException unavailable(String detail) {
        return new ApiException(503, "Service unavailable", detail, null);
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** Headers the response carries besides its content type (lower-case names). */
    public java.util.Map<String, String> headers() {
        return headers;
    }

    /** The request field at fault, or null. */
    public String field() {
        return field;
    }
}
