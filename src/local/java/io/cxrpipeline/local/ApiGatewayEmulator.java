package io.cxrpipeline.local;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The HTTP API on loopback: turns each request into the payload-2.0 event API Gateway sends, invokes the
 * function that owns the route, and turns its answer back into HTTP, binary bodies included.
 */
public final class ApiGatewayEmulator implements AutoCloseable {

    /** Lambda's synchronous invoke limit; API Gateway answers 413 above it. */
    static final int MAX_PAYLOAD = 6 * 1024 * 1024;

    private final HttpServer server;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Function<String, LocalFunction> router;

    /**
     * @param port   the port (3000, as {@code sam local start-api})
     * @param router picks the function for a path
     */
    public ApiGatewayEmulator(int port, Function<String, LocalFunction> router) throws IOException {
        this.router = router;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readNBytes(MAX_PAYLOAD + 1);
            if (body.length > MAX_PAYLOAD) {
                // The same problem+json the functions answer with (real API Gateway answers with its own body).
                send(exchange, 413, "application/problem+json", ("{\"type\":\"about:blank\",\"title\":"
                        + "\"Payload too large\",\"status\":413,\"detail\":\"the request body is larger than "
                        + MAX_PAYLOAD + " bytes, the most a function invocation takes (send a larger image by s3Uri)\","
                        + "\"field\":\"body\"}").getBytes(StandardCharsets.UTF_8));
                return;
            }
            String path = exchange.getRequestURI().getRawPath();
            LocalFunction function = router.apply(path);
            String event = mapper.writeValueAsString(event(exchange, body));
            // Lambda's 15-minute ceiling, not API Gateway's 30 s: a large split on dynalite takes minutes here.
            LambdaRuntimeApi.Result result = function.invoke(event, 900_000);
            if (result.error()) {
                // API Gateway hides function errors behind a 500; the function's log has the details.
                send(exchange, 500, "application/json",
                        "{\"message\":\"Internal Server Error\"}".getBytes(StandardCharsets.UTF_8));
                System.err.println("[api] " + function.name() + " failed: " + result.payload());
                return;
            }
            JsonNode response = mapper.readTree(result.payload());
            int status = response.path("statusCode").asInt(200);
            String text = response.path("body").isNull() ? "" : response.path("body").asText("");
            byte[] out = response.path("isBase64Encoded").asBoolean(false)
                    ? Base64.getDecoder().decode(text) : text.getBytes(StandardCharsets.UTF_8);
            response.path("headers").fields().forEachRemaining(
                    h -> exchange.getResponseHeaders().set(h.getKey(), h.getValue().asText()));
            send(exchange, status, null, out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            send(exchange, 502, "application/json", ("{\"message\":\"Bad gateway: " + e.getMessage().replace('"', '\'')
                    + "\"}").getBytes(StandardCharsets.UTF_8));
        }
    }

    private Map<String, Object> event(HttpExchange exchange, byte[] body) {
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        String rawPath = exchange.getRequestURI().getRawPath();
        String rawQuery = exchange.getRequestURI().getRawQuery();
        Map<String, String> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
        Map<String, String> query = new LinkedHashMap<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                String[] kv = pair.split("=", 2);
                query.merge(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                        kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "", (a, b) -> a + "," + b);
            }
        }
        String contentType = headers.getOrDefault("content-type", "");
        // HTTP API passes text as is and base64-encodes everything else.
        boolean text = contentType.startsWith("text/") || contentType.contains("json") || contentType.contains("xml")
                || contentType.contains("x-www-form-urlencoded") || (contentType.isEmpty() && body.length == 0);
        Map<String, Object> http = new LinkedHashMap<>();
        http.put("method", method);
        http.put("path", URLDecoder.decode(rawPath, StandardCharsets.UTF_8));
        http.put("protocol", "HTTP/1.1");
        http.put("sourceIp", exchange.getRemoteAddress().getAddress().getHostAddress());
        http.put("userAgent", headers.getOrDefault("user-agent", ""));
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("accountId", "000000000000");
        context.put("apiId", "local");
        context.put("domainName", "127.0.0.1");
        context.put("http", http);
        context.put("requestId", UUID.randomUUID().toString());
        context.put("routeKey", "$default");
        context.put("stage", "$default");
        context.put("time", Instant.now().toString());
        context.put("timeEpoch", System.currentTimeMillis());
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "2.0");
        event.put("routeKey", "$default");
        event.put("rawPath", rawPath);
        event.put("rawQueryString", rawQuery == null ? "" : rawQuery);
        event.put("headers", headers);
        if (!query.isEmpty()) {
            event.put("queryStringParameters", query);
        }
        event.put("requestContext", context);
        if (body.length > 0) {
            event.put("body", text ? new String(body, StandardCharsets.UTF_8) : Base64.getEncoder().encodeToString(body));
        }
        event.put("isBase64Encoded", !text);
        return event;
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        if (contentType != null) {
            exchange.getResponseHeaders().set("content-type", contentType);
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Paths the API serves, for the start-up banner. */
    public static List<String> routes() {
        return List.of("GET  /datasets/{dataset}/distribution", "POST /datasets/{dataset}/splits",
                "GET  /datasets/{dataset}/splits/{splitId}", "POST /datasets/{dataset}/reindex",
                "POST /training-runs", "GET  /training-runs/{runId}", "POST /predict");
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
