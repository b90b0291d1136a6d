package io.cxrpipeline.local;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays the local stack's {@code failed-events/} against a running stack:
 * {@code ./mvnw -q exec:java -Dexec.mainClass=io.cxrpipeline.local.ReplayFailedEvents}. It reads the same
 * settings as {@link LocalStack} (environment variables), starts the functions that have kept events against the
 * stack's S3 and DynamoDB, delivers each event once more and moves the delivered files to
 * {@code failed-events/replayed/}. Exit status 0 when every kept event was delivered, 1 otherwise.
 */
public final class ReplayFailedEvents {

    private ReplayFailedEvents() {
    }

    public static void main(String[] args) throws Exception {
        LocalStack.Settings settings = LocalStack.Settings.fromEnvironment();
        Path dir = LocalStack.failedEventsDir(settings);
        List<Path> files = FailedEvents.list(dir);
        if (files.isEmpty()) {
            System.out.println("no failed events in " + dir);
            return;
        }
        URI s3 = URI.create("http://127.0.0.1:" + settings.s3Port());
        URI dynamo = URI.create("http://127.0.0.1:" + settings.dynamoPort());
        StorageProbe.awaitAnswering(s3, dynamo, LocalStack.STORAGE_TIMEOUT);
        Map<String, String> env = LocalStack.functionEnvironment(settings, s3.toString(), dynamo.toString(),
                settings.batchPort());
        Path app = LocalStack.runnerJar(settings.projectDir());
        Path logs = settings.dataDir().resolve("logs");
        Map<String, LocalFunction> started = new HashMap<>();
        try {
            FailedEvents.Replay replay = FailedEvents.replay(dir, name -> started.computeIfAbsent(name, n -> {
                if (!LocalStack.FUNCTIONS.contains(n)) {
                    return null;
                }
                try {
                    LocalFunction f = LocalFunction.start(n, app, 512, env, logs.resolve("replay"));
                    f.awaitReady(120_000);
                    return f;
                } catch (Exception e) {
                    throw new IllegalStateException("cannot start " + n + ": " + e.getMessage(), e);
                }
            }));
            System.out.printf("failed events: %d found, %d delivered, %d failed again%n", replay.found(),
                    replay.delivered(), replay.failedAgain());
            replay.errors().forEach(e -> System.out.println("  " + e));
            if (replay.failedAgain() > 0) {
                System.exit(1);
            }
        } finally {
            for (LocalFunction f : started.values()) {
                if (f != null) {
                    f.close();
                }
            }
        }
    }
}
