package io.cxrpipeline.api;

/** A {@link Route} whose method and path template are fixed when it is made. */
public abstract class HttpRoute implements Route {

    private final String method;
    private final String pathTemplate;

    protected HttpRoute(String method, String pathTemplate) {
        this.method = method;
        this.pathTemplate = pathTemplate;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String pathTemplate() {
        return pathTemplate;
    }
}
