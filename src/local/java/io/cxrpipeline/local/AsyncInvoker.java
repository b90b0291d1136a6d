package io.cxrpipeline.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Asynchronous invokes as S3 and EventBridge make them: events queue in order, a failed invoke is retried
 * twice, and an event that still fails goes to the on-failure folder (the local SQS destination).
 */
public final class AsyncInvoker implements AutoCloseable {

    private static final int ATTEMPTS = 3;

    private final String name;
    /** Starts the function on the first event, when the invoker owns it; null when it was given started. */
    private final Callable<LocalFunction> starter;
    private volatile LocalFunction function;
    private final Path failures;
    private final ObjectMapper mapper = new ObjectMapper();
    private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();
    private final Thread worker;

    /** Delivers to a started function, which the caller closes. */
    public AsyncInvoker(LocalFunction function, Path failures) {
        this(function.name(), null, function, failures);
    }

    /**
     * Delivers to a function started on the first event (and closed with this invoker): one that most sessions
     * never invoke costs no process start.
     */
    public AsyncInvoker(String name, Callable<LocalFunction> starter, Path failures) {
        this(name, starter, null, failures);
    }

    private AsyncInvoker(String name, Callable<LocalFunction> starter, LocalFunction function, Path failures) {
        this.name = name;
        this.starter = starter;
        this.function = function;
        this.failures = failures;
        this.worker = new Thread(this::run, "async-" + name);
        worker.setDaemon(true);
        worker.start();
    }

    /** Queues one event: a JSON document as text, or an object to serialise. */
    public void submit(Object event) {
        try {
            inFlight.incrementAndGet();
            queue.add(event instanceof String json ? json : mapper.writeValueAsString(event));
        } catch (IOException e) {
            inFlight.decrementAndGet();
            throw new IllegalStateException(e);
        }
    }

    /** Events queued or being delivered. */
    public long pending() {
        return inFlight.get();
    }

    public long delivered() {
        return delivered.get();
    }

    public long failed() {
        return failed.get();
    }

    /** The function's process, once started (an invoker that starts its function on the first event has none before). */
    public java.util.Optional<ProcessHandle> process() {
        LocalFunction f = function;
        return f == null ? java.util.Optional.empty() : java.util.Optional.of(f.process());
    }

    private void run() {
        while (true) {
            String event;
            try {
                event = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                deliver(event);
            } catch (InterruptedException e) {
                return;
            } finally {
                inFlight.decrementAndGet();
            }
        }
    }

    private void deliver(String event) throws InterruptedException {
        LambdaRuntimeApi.Result result = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            LocalFunction target = started();
            result = target == null ? null : target.invoke(event, 900_000);
            if (result != null && !result.error()) {
                delivered.incrementAndGet();
                return;
            }
            Thread.sleep(200L * attempt);
        }
        failed.incrementAndGet();
        try {
            Files.createDirectories(failures);
            Path file = failures.resolve(name + "-" + System.nanoTime() + ".json");
            String error = result == null ? "\"the function did not start\"" : result.payload();
            Files.writeString(file, "{\"error\":" + error + ",\"event\":" + event + "}");
            System.err.println("[" + name + "] event failed " + ATTEMPTS + " times; kept in " + file);
        } catch (IOException e) {
            System.err.println("[" + name + "] cannot keep failed event: " + e);
        }
    }

    /** The function, started now if this invoker owns it and this is its first event; null when it cannot start. */
    private LocalFunction started() throws InterruptedException {
        if (function == null) {
            LocalFunction f = null;
            try {
                f = starter.call();
                f.awaitReady(120_000);
                function = f;
            } catch (Exception e) {
                if (f != null) {
                    f.close(); // stopping while it started, or it did not come up: no process left behind
                }
                if (e instanceof InterruptedException ie) {
                    throw ie;
                }
                System.err.println("[" + name + "] cannot start: " + e);
                return null;
            }
        }
        return function;
    }

    @Override
    public void close() throws InterruptedException {
        worker.interrupt();
        if (starter != null && function != null) {
            function.close();
        }
    }
}
