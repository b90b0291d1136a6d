package io.cxrpipeline.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Asynchronous invokes as S3 and EventBridge make them: events queue in order, a failed invoke is retried
 * twice, and an event that still fails goes to the on-failure folder (the local SQS destination).
 */
public final class AsyncInvoker implements AutoCloseable {

    private static final int ATTEMPTS = 3;

    private final LocalFunction function;
    private final Path failures;
    private final ObjectMapper mapper = new ObjectMapper();
    private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();
    private final Thread worker;

    public AsyncInvoker(LocalFunction function, Path failures) {
        this.function = function;
        this.failures = failures;
        this.worker = new Thread(this::run, "async-" + function.name());
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
            result = function.invoke(event, 900_000);
            if (!result.error()) {
                delivered.incrementAndGet();
                return;
            }
            Thread.sleep(200L * attempt);
        }
        failed.incrementAndGet();
        try {
            Files.createDirectories(failures);
            Path file = failures.resolve(function.name() + "-" + System.nanoTime() + ".json");
            Files.writeString(file, "{\"error\":" + result.payload() + ",\"event\":" + event + "}");
            System.err.println("[" + function.name() + "] event failed " + ATTEMPTS + " times; kept in " + file);
        } catch (IOException e) {
            System.err.println("[" + function.name() + "] cannot keep failed event: " + e);
        }
    }

    @Override
    public void close() {
        worker.interrupt();
    }
}
