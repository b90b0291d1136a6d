package io.cxrpipeline.local;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * AWS Batch on loopback for the local stack: answers SubmitJob and DescribeJobs, runs each job as a
 * local CPU process of the training program with the job's environment, one at a time like a one-GPU
 * queue, and emits the "Batch Job State Change" events EventBridge would deliver.
 */
public final class BatchEmulator implements AutoCloseable {

    private final HttpServer server;
    private final ObjectMapper mapper = new ObjectMapper();
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "batch-job-runner");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Map<String, Object>> jobs = new ConcurrentHashMap<>();
    private final List<String> command;
    private final Map<String, String> jobEnvironment;
    private final Path projectDir;
    private final Path logDir;
    private final Consumer<Map<String, Object>> events;

    /**
     * @param port           the port the functions' Batch client is pointed at
     * @param command        the training program's command line
     * @param jobEnvironment added to every job's environment (S3 endpoint, credentials)
     * @param events         receives EventBridge events
     */
    public BatchEmulator(int port, List<String> command, Map<String, String> jobEnvironment, Path projectDir,
            Path logDir, Consumer<Map<String, Object>> events) throws IOException {
        this.command = command;
        this.jobEnvironment = jobEnvironment;
        this.projectDir = projectDir;
        this.logDir = logDir;
        this.events = events;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        server.createContext("/v1/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode request = mapper.readTree(exchange.getRequestBody());
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/v1/submitjob")) {
                send(exchange, 200, submit(request));
            } else if (path.equals("/v1/describejobs")) {
                List<Object> found = new ArrayList<>();
                request.path("jobs").forEach(id -> {
                    Map<String, Object> job = jobs.get(id.asText());
                    if (job != null) {
                        found.add(job);
                    }
                });
                send(exchange, 200, Map.of("jobs", found));
            } else if (path.equals("/v1/listjobs")) {
                // Only the JOB_NAME filter is used (finding a job whose SubmitJob answer was lost).
                List<String> names = new ArrayList<>();
                request.path("filters").forEach(f -> {
                    if ("JOB_NAME".equals(f.path("name").asText())) {
                        f.path("values").forEach(v -> names.add(v.asText()));
                    }
                });
                List<Object> summaries = new ArrayList<>();
                jobs.values().stream().filter(j -> names.isEmpty() || names.contains(j.get("jobName")))
                        .forEach(j -> summaries.add(Map.of("jobId", j.get("jobId"), "jobName", j.get("jobName"),
                                "jobArn", j.get("jobArn"), "createdAt", j.get("createdAt"), "status", j.get("status"))));
                send(exchange, 200, Map.of("jobSummaryList", summaries));
            } else {
                exchange.getResponseHeaders().set("x-amzn-ErrorType", "ClientException");
                send(exchange, 400, Map.of("message", "not emulated: " + path));
            }
        }
    }

    private Map<String, Object> submit(JsonNode request) {
        String jobId = UUID.randomUUID().toString();
        String jobName = request.path("jobName").asText();
        String queue = request.path("jobQueue").asText();
        Map<String, String> environment = new LinkedHashMap<>();
        request.path("containerOverrides").path("environment")
                .forEach(e -> environment.put(e.path("name").asText(), e.path("value").asText()));
        Map<String, String> tags = new LinkedHashMap<>();
        request.path("tags").fields().forEachRemaining(t -> tags.put(t.getKey(), t.getValue().asText()));
        Map<String, Object> job = new ConcurrentHashMap<>();
        job.put("jobArn", "arn:aws:batch:us-east-1:000000000000:job/" + jobId);
        job.put("jobId", jobId);
        job.put("jobName", jobName);
        job.put("jobQueue", queue.startsWith("arn:") ? queue : "arn:aws:batch:us-east-1:000000000000:job-queue/" + queue);
        job.put("jobDefinition", request.path("jobDefinition").asText());
        job.put("createdAt", System.currentTimeMillis());
        job.put("tags", tags);
        job.put("container", new ConcurrentHashMap<>(Map.of("environment", environment.entrySet().stream()
                .map(e -> Map.of("name", e.getKey(), "value", e.getValue())).toList())));
        jobs.put(jobId, job);
        transition(job, "SUBMITTED", null);
        runner.submit(() -> run(job, environment));
        return Map.of("jobArn", job.get("jobArn"), "jobName", jobName, "jobId", jobId);
    }

    @SuppressWarnings("unchecked")
    private void run(Map<String, Object> job, Map<String, String> environment) {
        transition(job, "RUNNABLE", null);
        transition(job, "STARTING", null);
        try {
            Files.createDirectories(logDir);
            Path log = logDir.resolve("training-" + job.get("jobId") + ".log");
            ProcessBuilder builder = new ProcessBuilder(command).directory(projectDir.toFile())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(environment);
            builder.environment().putAll(jobEnvironment);
            builder.environment().put("AWS_BATCH_JOB_ID", (String) job.get("jobId"));
            Process process = builder.start();
            job.put("startedAt", System.currentTimeMillis());
            ((Map<String, Object>) job.get("container")).put("logStreamName", log.toString());
            transition(job, "RUNNING", null);
            int exit = process.waitFor();
            job.put("stoppedAt", System.currentTimeMillis());
            ((Map<String, Object>) job.get("container")).put("exitCode", exit);
            if (exit == 0) {
                transition(job, "SUCCEEDED", "Essential container in task exited");
            } else {
                transition(job, "FAILED", "Essential container in task exited (exit code " + exit + "); see " + log);
            }
        } catch (IOException e) {
            job.put("stoppedAt", System.currentTimeMillis());
            transition(job, "FAILED", "CannotStartContainerError: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void transition(Map<String, Object> job, String status, String reason) {
        job.put("status", status);
        if (reason != null) {
            job.put("statusReason", reason);
        }
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "0");
        event.put("id", UUID.randomUUID().toString());
        event.put("detail-type", "Batch Job State Change");
        event.put("source", "aws.batch");
        event.put("account", "000000000000");
        event.put("time", Instant.now().toString());
        event.put("region", "us-east-1");
        event.put("resources", List.of(job.get("jobArn")));
        event.put("detail", new LinkedHashMap<>(job));
        events.accept(event);
    }

    private void send(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = mapper.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("content-type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        runner.shutdownNow();
    }
}
