package io.cxrpipeline.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Matches HTTP API events to {@link Route}s and turns failures into problem+json responses. */
@ApplicationScoped
public class ApiRouter {

    private static final Logger LOG = Logger.getLogger(ApiRouter.class);

    private final List<Route> routes;
    private final ObjectMapper mapper;

    @Inject
    public ApiRouter(@Any Instance<Route> routes, ObjectMapper mapper) {
        this.routes = routes.stream().collect(Collectors.toList());
        this.mapper = mapper;
    }

    /** Serves one event with the routes of the named function ({@link Route#function()}). */
    public HttpApiResponse dispatch(String function, HttpApiRequest request) {
        String path = request.path();
        try {
            boolean pathMatched = false;
            for (Route route : routes) {
                if (!route.function().equals(function)) {
                    continue;
                }
                Map<String, String> params = match(route.pathTemplate(), path);
                if (params == null) {
                    continue;
                }
                pathMatched = true;
                if (route.method().equalsIgnoreCase(request.method())) {
                    return route.handle(request, params);
                }
            }
            if (pathMatched) {
                throw new ApiException(405, "Method not allowed",
                        request.method() + " is not allowed on " + path, null);
            }
            throw ApiException.notFound("no route for " + request.method() + " " + path);
        } catch (Exception e) {
            return problem(ProblemMapper.toProblem(e, request.method(), path));
        }
    }

    /** A problem+json response. */
    public HttpApiResponse problem(Problem problem) {
        try {
            return new HttpApiResponse(problem.status(), Map.of("content-type", "application/problem+json"),
                    mapper.writeValueAsString(problem), false);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** Matches a template such as {@code /datasets/{dataset}/splits}; null when it does not match. */
    static Map<String, String> match(String template, String path) {
        String[] t = trim(template).split("/", -1);
        String[] p = trim(path).split("/", -1);
        if (t.length != p.length) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < t.length; i++) {
            if (t[i].startsWith("{") && t[i].endsWith("}")) {
                if (p[i].isEmpty()) {
                    return null;
                }
                params.put(t[i].substring(1, t[i].length() - 1), URLDecoder.decode(p[i], StandardCharsets.UTF_8));
            } else if (!t[i].equals(p[i])) {
                return null;
            }
        }
        return params;
    }

    private static String trim(String s) {
        String r = s.startsWith("/") ? s.substring(1) : s;
        return r.endsWith("/") ? r.substring(0, r.length() - 1) : r;
    }
}
