package io.cxrpipeline.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Matches HTTP API events to {@link Route}s and turns failures into problem+json responses. HTTP semantics at
 * the edge: HEAD is served wherever GET is (same status and headers, no body), OPTIONS answers 204 with
 * {@code allow}, any other method a path does not serve is a 405 with {@code allow}.
 */
@ApplicationScoped
public class ApiRouter {

    private final List<Route> routes;
    private final ObjectMapper mapper;

    @Inject
    public ApiRouter(@Any Instance<Route> routes, ObjectMapper mapper) {
        this(routes.stream().collect(Collectors.toList()), mapper);
    }

    ApiRouter(List<Route> routes, ObjectMapper mapper) {
        this.routes = routes;
        this.mapper = mapper;
    }

    /** Serves one event with the routes of the named function ({@link Route#function()}). */
    public HttpApiResponse dispatch(String function, HttpApiRequest request) {
        String path = request.path();
        String method = request.method();
        try {
            Set<String> allowed = new LinkedHashSet<>();
            Route get = null;
            for (Route route : routes) {
                if (!route.function().equals(function)) {
                    continue;
                }
                Map<String, String> params = match(route.pathTemplate(), path);
                if (params == null) {
                    continue;
                }
                if (route.method().equalsIgnoreCase(method)) {
                    return route.handle(request, params);
                }
                allowed.add(route.method());
                if (route.method().equals("GET")) {
                    get = route;
                }
            }
            if (allowed.isEmpty()) {
                throw new ApiException(404, "Not found", "no route for " + method + " " + path, "path");
            }
            if (get != null) {
                allowed.add("HEAD");
            }
            allowed.add("OPTIONS");
            String allow = String.join(", ", allowed);
            if (method.equals("HEAD") && get != null) {
                return head(get.handle(request, match(get.pathTemplate(), path)));
            }
            if (method.equals("OPTIONS")) {
                return new HttpApiResponse(204, Map.of("allow", allow), null, false);
            }
            throw new ApiException(405, "Method not allowed", method + " is not allowed here; this path allows "
                    + allow, "method", Map.of("allow", allow));
        } catch (Exception e) {
            HttpApiResponse r = problem(ProblemMapper.toProblem(e, method, path, requestId(request)),
                    e instanceof ApiException a ? a.headers() : Map.of());
            return method.equals("HEAD") ? head(r) : r;
        }
    }

    /** A problem+json response. */
    public HttpApiResponse problem(Problem problem) {
        return problem(problem, Map.of());
    }

    private HttpApiResponse problem(Problem problem, Map<String, String> extraHeaders) {
        Map<String, String> headers = new LinkedHashMap<>(extraHeaders);
        headers.put("content-type", "application/problem+json");
        try {
            return new HttpApiResponse(problem.status(), Map.copyOf(headers), mapper.writeValueAsString(problem),
                    false);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** The GET response for a HEAD request: status and headers, no body. */
    private static HttpApiResponse head(HttpApiResponse get) {
        return new HttpApiResponse(get.statusCode(), get.headers(), null, false);
    }

    private static String requestId(HttpApiRequest request) {
        return request.requestContext() == null ? null : request.requestContext().requestId();
    }

    /**
     * Matches a template such as {@code /datasets/{dataset}/splits}; null when it does not match. Values are
     * percent-decoded as path segments ({@code +} stays a plus).
     *
     * @throws ApiException 400 for a value that is not valid percent-encoding
     */
    static Map<String, String> match(String template, String path) {
        String[] t = trim(template).split("/", -1);
        String[] p = trim(path == null ? "" : path).split("/", -1);
        if (t.length != p.length) {
            return null;
        }
        for (int i = 0; i < t.length; i++) {
            if (!isParameter(t[i]) && !t[i].equals(p[i])) {
                return null;
            }
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < t.length; i++) {
            if (isParameter(t[i])) {
                String name = t[i].substring(1, t[i].length() - 1);
                if (p[i].isEmpty()) {
                    return null;
                }
                try {
                    params.put(name, URLDecoder.decode(p[i].replace("+", "%2B"), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest(name, "the " + name + " segment of the path is not valid "
                            + "percent-encoding");
                }
            }
        }
        return params;
    }

    private static boolean isParameter(String segment) {
        return segment.startsWith("{") && segment.endsWith("}");
    }

    private static String trim(String s) {
        String r = s.startsWith("/") ? s.substring(1) : s;
        return r.endsWith("/") ? r.substring(0, r.length() - 1) : r;
    }
}
