package io.cxrpipeline.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The AWS Lambda Runtime API (2018-06-01) for one function on loopback: the function process polls
 * {@code /invocation/next} exactly as it does inside Lambda, so the local stack runs the real bootstrap path.
 */
public final class LambdaRuntimeApi implements AutoCloseable {

    /** What an invocation returned: the payload, and whether it was a function error. */
    public record Result(boolean error, String payload) {
    }

    private record Invocation(String requestId, String event, long deadlineMs, CompletableFuture<Result> result) {
    }

    static {
        // Without TCP_NODELAY the JDK server's small writes wait on the client's delayed ACK: ~40 ms per
        // exchange, two exchanges per invocation. Read once, when the first server starts.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final String function;
    private final HttpServer server;
    private final BlockingQueue<Invocation> pending = new LinkedBlockingQueue<>();
    private final Map<String, Invocation> running = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private volatile String initError;

    public LambdaRuntimeApi(String function, int port) throws IOException {
        this.function = function;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.createContext("/2018-06-01/runtime/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "runtime-api-" + function);
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    /** host:port for {@code AWS_LAMBDA_RUNTIME_API}. */
    public String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** Completes when the function has polled for its first event (its init is done). */
    public CompletableFuture<Void> ready() {
        return ready;
    }

    /** Invokes the function and waits for its answer, as a synchronous Lambda invoke does. */
    public Result invoke(String event, long timeoutMs) throws InterruptedException {
        if (initError != null) {
            return new Result(true, initError);
        }
        Invocation invocation = new Invocation(UUID.randomUUID().toString(), event,
                System.currentTimeMillis() + timeoutMs, new CompletableFuture<>());
        pending.add(invocation);
        try {
            return invocation.result().get(timeoutMs + 5_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return new Result(true, "{\"errorType\":\"Timeout\",\"errorMessage\":\"" + function
                    + " did not answer within " + timeoutMs + " ms\"}");
        } catch (java.util.concurrent.ExecutionException e) {
            return new Result(true, String.valueOf(e.getCause()));
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        try (exchange) {
            if (path.endsWith("/invocation/next") && "GET".equals(exchange.getRequestMethod())) {
                ready.complete(null);
                Invocation next = pending.take();
                running.put(next.requestId(), next);
                exchange.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", next.requestId());
                exchange.getResponseHeaders().add("Lambda-Runtime-Deadline-Ms", Long.toString(next.deadlineMs()));
                exchange.getResponseHeaders().add("Lambda-Runtime-Invoked-Function-Arn",
                        "arn:aws:lambda:us-east-1:000000000000:function:" + function);
                exchange.getResponseHeaders().add("Lambda-Runtime-Trace-Id", "Root=1-" + next.requestId());
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                send(exchange, 200, next.event());
            } else if (path.contains("/invocation/") && (path.endsWith("/response") || path.endsWith("/error"))) {
                String requestId = path.substring(path.indexOf("/invocation/") + 12, path.lastIndexOf('/'));
                String body = read(exchange.getRequestBody());
                Invocation invocation = running.remove(requestId);
                if (invocation != null) {
                    invocation.result().complete(new Result(path.endsWith("/error"), body));
                }
                send(exchange, 202, "{\"status\":\"OK\"}");
            } else if (path.endsWith("/init/error")) {
                initError = read(exchange.getRequestBody());
                ready.completeExceptionally(new IllegalStateException(function + " failed to start: " + initError));
                send(exchange, 202, "{\"status\":\"OK\"}");
            } else {
                send(exchange, 404, "{\"errorMessage\":\"unknown runtime API path\"}");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String read(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
