package io.cxrpipeline.local;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The Lambda Invoke API on loopback, for asynchronous ({@code Event}) invokes: answers 202 as Lambda does and
 * hands the payload to the function's event queue ({@link AsyncInvoker}, retries included). Synchronous invokes
 * are refused with 400: nothing in the pipeline makes them.
 */
public final class LambdaInvokeApi implements AutoCloseable {

    private static final String PREFIX = "/2015-03-31/functions/";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2);

    /**
     * @param port     the port (0: a free one)
     * @param delivery receives the function name and the payload of each accepted invoke
     */
    public LambdaInvokeApi(int port, BiConsumer<String, String> delivery) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        server.createContext(PREFIX, exchange -> handle(exchange, delivery));
        server.setExecutor(executor);
        server.start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void handle(HttpExchange exchange, BiConsumer<String, String> delivery) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String type = exchange.getRequestHeaders().getFirst("X-Amz-Invocation-Type");
            if (!"POST".equals(exchange.getRequestMethod()) || !path.endsWith("/invocations")
                    || !"Event".equals(type)) {
                byte[] body = ("{\"message\":\"only asynchronous (Event) invokes are emulated\"}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(400, body.length);
                exchange.getResponseBody().write(body);
                return;
            }
            String name = URLDecoder.decode(path.substring(PREFIX.length(), path.length() - "/invocations".length()),
                    StandardCharsets.UTF_8);
            String payload = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            delivery.accept(name, payload);
            exchange.sendResponseHeaders(202, -1);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
