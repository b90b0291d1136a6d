package io.cxrpipeline.training;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The AWS Batch REST-JSON API on loopback, as far as the training hand-off uses it: {@code POST /v1/submitjob}
 * and {@code POST /v1/listjobs}. Records every request; answers can be made to fail.
 */
public final class BatchStub {

    /** One request as received. */
    public record Call(String method, String path, Map<String, List<String>> headers, JsonNode body) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    /** Answer the next SubmitJob with this status; {@link #LOST_RESPONSE} creates the job, then answers 500. */
    public static final int LOST_RESPONSE = -1;

    private static BatchStub instance;

    private final ObjectMapper mapper = new ObjectMapper();
    private final HttpServer server;
    private final List<Call> calls = new ArrayList<>();
    private final Map<String, String> jobs = new ConcurrentHashMap<>();
    private final Deque<Integer> submitFailures = new ArrayDeque<>();

    private BatchStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0)));
    }

    public static synchronized BatchStub get() {
        if (instance == null) {
            try {
                instance = new BatchStub();
            } catch (IOException e) {
                throw new IllegalStateException("cannot start the Batch stub", e);
            }
        }
        return instance;
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Requests that concern one job name (SubmitJob of it, ListJobs for it). */
    public synchronized List<Call> callsFor(String jobName) {
        return calls.stream().filter(c -> jobName.equals(c.body().path("jobName").asText(null))
                || c.body().path("filters").toString().contains("\"" + jobName + "\"")).toList();
    }

    public synchronized void failNextSubmit(int... statuses) {
        for (int s : statuses) {
            submitFailures.add(s);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
            bytes = in.readAllBytes();
        }
        JsonNode body = bytes.length == 0 ? mapper.createObjectNode() : mapper.readTree(bytes);
        String path = exchange.getRequestURI().getPath();
        Integer failure;
        synchronized (this) {
            calls.add(new Call(exchange.getRequestMethod(), path, Map.copyOf(exchange.getRequestHeaders()), body));
            failure = path.equals("/v1/submitjob") ? submitFailures.poll() : null;
        }
        switch (path) {
            case "/v1/submitjob" -> {
                String name = body.path("jobName").asText();
                if (failure != null && failure != LOST_RESPONSE) {
                    error(exchange, failure);
                    return;
                }
                String id = UUID.randomUUID().toString();
                jobs.put(name, id);
                if (failure != null) {
                    error(exchange, 500);
                    return;
                }
                ObjectNode out = mapper.createObjectNode();
                out.put("jobArn", "arn:aws:batch:us-east-1:123456789012:job/" + id);
                out.put("jobName", name);
                out.put("jobId", id);
                respond(exchange, 200, out);
            }
            case "/v1/listjobs" -> {
                ObjectNode out = mapper.createObjectNode();
                var list = out.putArray("jobSummaryList");
                for (JsonNode filter : body.path("filters")) {
                    if (filter.path("name").asText().equals("JOB_NAME")) {
                        for (JsonNode value : filter.path("values")) {
                            String id = jobs.get(value.asText());
                            if (id != null) {
                                list.addObject().put("jobId", id).put("jobName", value.asText())
                                        .put("createdAt", System.currentTimeMillis()).put("status", "SUBMITTED")
                                        .put("jobArn", "arn:aws:batch:us-east-1:123456789012:job/" + id);
                            }
                        }
                    }
                }
                respond(exchange, 200, out);
            }
            default -> error(exchange, 404);
        }
    }

    private void error(HttpExchange exchange, int status) throws IOException {
        String type = status >= 500 ? "ServerException" : "ClientException";
        exchange.getResponseHeaders().add("x-amzn-ErrorType", type);
        ObjectNode out = mapper.createObjectNode();
        out.put("__type", type);
        out.put("message", status >= 500 ? "stubbed service fault" : "stubbed rejection: job queue does not exist");
        respond(exchange, status, out);
    }

    private void respond(HttpExchange exchange, int status, JsonNode json) throws IOException {
        byte[] out = mapper.writeValueAsBytes(json);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.getResponseHeaders().add("x-amzn-RequestId", UUID.randomUUID().toString());
        exchange.sendResponseHeaders(status, out.length);
        exchange.getResponseBody().write(out);
        exchange.close();
    }
}
