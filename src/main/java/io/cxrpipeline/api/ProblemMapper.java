package io.cxrpipeline.api;

import java.util.UUID;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;

import io.cxrpipeline.common.DomainException;
import io.cxrpipeline.common.InfrastructureException;

/**
 * The one place where failures become RFC 9457 problems: domain exceptions by their kind, edge errors as they
 * are, malformed JSON as a 400 naming the field, anything else as a 500. Server-side problems carry a request id
 * that also stands in the log line with the details, which stay out of the response.
 */
public final class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    private ProblemMapper() {
    }

    /** The problem for a failure of the request {@code method path}. */
    public static Problem toProblem(Throwable e, String method, String path) {
        if (e instanceof ApiException a) {
            return new Problem("about:blank", a.title(), a.status(), a.getMessage(), a.field(), path, null);
        }
        if (e instanceof DomainException d) {
            return domain(d, method, path);
        }
        if (e instanceof JsonMappingException m) {
            String field = m.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            return invalid(field.isEmpty() ? "body" : field,
                    "cannot read " + (field.isEmpty() ? "the body" : field) + ": " + m.getOriginalMessage(), path);
        }
        if (e instanceof JsonProcessingException j) {
            return invalid("body", "the body is not valid JSON: " + j.getOriginalMessage(), path);
        }
        String id = requestId();
        LOG.errorf(e, "request %s: %s %s failed", id, method, path);
        return new Problem("about:blank", "Internal error", 500,
                "the request could not be served; it is safe to retry (request id " + id + ")", null, path, id);
    }

    private static Problem domain(DomainException d, String method, String path) {
        return switch (d.kind()) {
            case INVALID_INPUT -> invalid(d.field(), d.getMessage(), path);
            case NOT_FOUND -> new Problem("about:blank", "Not found", 404, d.getMessage(), d.field(), path, null);
            case CONFLICT -> new Problem("about:blank", "Conflict", 409, d.getMessage(), d.field(), path, null);
            case UNPROCESSABLE -> new Problem("about:blank", "Unprocessable request", 422, d.getMessage(), d.field(),
                    path, null);
            case TOO_LARGE -> new Problem("about:blank", "Payload too large", 413, d.getMessage(), d.field(), path,
                    null);
            case UNAVAILABLE -> unavailable(d, method, path);
        };
    }

    private static Problem unavailable(DomainException d, String method, String path) {
        String id = requestId();
        String detail;
        if (d instanceof InfrastructureException infra) {
            // The cause (SDK messages, endpoints, attempt counts) goes to the log, not to the caller.
            LOG.errorf(d, "request %s: %s %s: %s is unavailable: %s", id, method, path, infra.resource(),
                    d.getMessage());
            detail = infra.resource() + " cannot be reached right now; " + infra.advice();
        } else {
            LOG.warnf("request %s: %s %s: %s", id, method, path, d.getMessage());
            detail = d.getMessage();
        }
        return new Problem("about:blank", "Service unavailable", 503, detail + " (request id " + id + ")", d.field(),
                path, id);
    }

    private static Problem invalid(String field, String detail, String path) {
        return new Problem("about:blank", "Invalid request", 400, detail, field, path, null);
    }

    private static String requestId() {
        return UUID.randomUUID().toString();
    }
}
