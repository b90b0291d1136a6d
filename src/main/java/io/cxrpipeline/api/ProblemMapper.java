package io.cxrpipeline.api;

import java.util.UUID;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.cxrpipeline.common.DomainException;
import io.cxrpipeline.common.InfrastructureException;
import io.cxrpipeline.common.JsonBodies;

/**
 * The one place where failures become RFC 9457 problems: domain exceptions by their kind, edge errors as they
 * are, unreadable JSON as a 400 naming the field and the rule ({@link JsonBodies#invalid}), anything else as a
 * 500. Server-side problems (5xx) carry a request id that also stands in the log line with the details (SDK
 * messages, endpoints, model locations), which stay out of the response. What the client sent is echoed
 * bounded: {@code instance}, {@code field} and {@code detail} have a maximum length.
 */
public final class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    /** Longest {@code instance} (the request path) in a problem. */
    static final int MAX_INSTANCE = 256;
    /** Longest {@code field} in a problem. */
    static final int MAX_FIELD = 128;
    /** Longest {@code detail} in a problem. */
    static final int MAX_DETAIL = 640;

    private ProblemMapper() {
    }

    /** The problem for a failure of the request {@code method path}, with a fresh request id for 5xx. */
    public static Problem toProblem(Throwable e, String method, String path) {
        return toProblem(e, method, path, null);
    }

    /**
     * The problem for a failure of the request {@code method path}.
     *
     * @param requestId API Gateway's id of the request, used for 5xx when given (null: a fresh one)
     */
    public static Problem toProblem(Throwable e, String method, String path, String requestId) {
        String instance = bound(path, MAX_INSTANCE);
        if (e instanceof ApiException a) {
            return problem(a.title(), a.status(), a.getMessage(), a.field(), instance, null);
        }
        if (e instanceof DomainException d) {
            return domain(d, method, instance, requestId);
        }
        if (e instanceof JsonProcessingException j) {
            return domain(JsonBodies.invalid(j), method, instance, requestId);
        }
        String id = requestId(requestId);
        LOG.errorf(e, "request %s: %s %s failed", id, method, instance);
        return problem("Internal error", 500,
                "the request could not be served; it is safe to retry (request id " + id + ")", null, instance, id);
    }

    private static Problem domain(DomainException d, String method, String instance, String requestId) {
        return switch (d.kind()) {
            case INVALID_INPUT -> problem("Invalid request", 400, d.getMessage(), d.field(), instance, null);
            case NOT_FOUND -> problem("Not found", 404, d.getMessage(), d.field(), instance, null);
            case CONFLICT -> problem("Conflict", 409, d.getMessage(), d.field(), instance, null);
            case UNPROCESSABLE -> problem("Unprocessable request", 422, d.getMessage(), d.field(), instance, null);
            case TOO_LARGE -> problem("Payload too large", 413, d.getMessage(), d.field(), instance, null);
            case UNAVAILABLE -> unavailable(d, method, instance, requestId);
        };
    }

    private static Problem unavailable(DomainException d, String method, String instance, String requestId) {
        String id = requestId(requestId);
        String detail;
        // The message (SDK errors, endpoints, attempt counts, model URIs) goes to the log, not to the caller.
        if (d instanceof InfrastructureException infra) {
            if (d.getCause() != null) {
                LOG.errorf(d, "request %s: %s %s: %s is unavailable: %s", id, method, instance, infra.resource(),
                        d.getMessage());
            } else {
                LOG.warnf("request %s: %s %s: %s is unavailable: %s", id, method, instance, infra.resource(),
                        d.getMessage());
            }
            detail = infra.resource() + " cannot be reached right now; " + infra.advice();
        } else {
            LOG.warnf(d, "request %s: %s %s: unavailable: %s", id, method, instance, d.getMessage());
            detail = "the request cannot be served right now; retrying later is safe";
        }
        return problem("Service unavailable", 503, detail + " (request id " + id + ")", d.field(), instance, id);
    }

    private static Problem problem(String title, int status, String detail, String field, String instance,
            String requestId) {
        return new Problem("about:blank", title, status, bound(detail, MAX_DETAIL), bound(field, MAX_FIELD),
                instance, requestId);
    }

    /** The text cut to {@code max} characters, marked with an ellipsis; null stays null. */
    static String bound(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "…";
    }

    private static String requestId(String given) {
        return given != null && !given.isBlank() && given.length() <= 64 && given.matches("[A-Za-z0-9=_\\-]+")
                ? given : UUID.randomUUID().toString();
    }
}
