package io.cxrpipeline.api;

/**
 * One API route served by the {@code api} function. Capabilities contribute routes as CDI beans;
 * the router matches {@link #method()} and {@link #pathTemplate()} (e.g. {@code /datasets/{dataset}/splits}).
 */
public interface Route {

    /** The function that serves this route: {@code api} unless it has a Lambda of its own. */
    default String function() {
        return "api";
    }

    /** HTTP method, upper case. */
    String method();

    /** Path template with {@code {name}} segments, as in the HTTP API route key. */
    String pathTemplate();

    /**
     * Serves the request. Throws a {@link io.cxrpipeline.common.DomainException} for anything the request cannot
     * get (bad input, unknown resource, unavailable dependency); {@link ProblemMapper} turns it into a
     * problem+json response. Any other exception is a server fault.
     *
     * @param request    the proxy event
     * @param pathParams the values of the template's {@code {name}} segments, URL-decoded
     */
    HttpApiResponse handle(HttpApiRequest request, java.util.Map<String, String> pathParams) throws Exception;
}
