package io.cxrpipeline.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One function of the artifact, running in its own process as it runs in its own Lambda: the packaged
 * application with {@code QUARKUS_FUNQY_EXPORT} set, polling a {@link LambdaRuntimeApi} on loopback, in a JVM
 * through {@link RuntimeBootstrap} or as the native executable.
 */
public final class LocalFunction implements AutoCloseable {

    private final String name;
    private final LambdaRuntimeApi runtime;
    private final Process process;
    private final Path log;

    private LocalFunction(String name, LambdaRuntimeApi runtime, Process process, Path log) {
        this.name = name;
        this.runtime = runtime;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts the function.
     *
     * @param name    the Funqy function to export
     * @param app     the runner jar ({@code target/*-runner.jar}, the jar function.zip carries)
     * @param heapMb  the heap, like the Lambda's memory setting
     * @param env     environment of the function (endpoints, bucket, table)
     * @param logDir  where its output goes, one file per function
     */
    public static LocalFunction start(String name, Path app, int heapMb, Map<String, String> env, Path logDir)
            throws IOException {
        return start(name, name, app, heapMb, env, logDir);
    }

    /**
     * Starts one more instance of a function, as Lambda does for concurrent invocations.
     *
     * @param instance names its log file
     */
    public static LocalFunction start(String name, String instance, Path app, int heapMb, Map<String, String> env,
            Path logDir) throws IOException {
        return launch(name, instance, List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // Serial GC: a Lambda-sized JVM that leaves the cores to the others.
                "-Xmx" + heapMb + "m", "-XX:+UseSerialGC",
                "-Dquarkus.profile=local", "-cp", app + java.io.File.pathSeparator + bootstrapClasspath(),
                RuntimeBootstrap.class.getName()), env, logDir);
    }

    /**
     * Starts the function from the native executable ({@code target/native/*-runner}, the {@code bootstrap} of
     * the native function.zip), which polls the Runtime API with Quarkus' own loop, as on Lambda's
     * {@code provided.al2023} runtime.
     *
     * @param heapMb the maximum heap of the native image, like the Lambda's memory setting
     */
    public static LocalFunction startNative(String name, Path executable, int heapMb, Map<String, String> env,
            Path logDir) throws IOException {
        return startNative(name, name, executable, heapMb, env, logDir);
    }

    /**
     * Starts one more instance of a function from the native executable, as Lambda does for concurrent invocations.
     *
     * @param instance names its log file
     */
    public static LocalFunction startNative(String name, String instance, Path executable, int heapMb,
            Map<String, String> env, Path logDir) throws IOException {
        return launch(name, instance, List.of(executable.toString(), "-Xmx" + heapMb + "m",
                "-Dquarkus.profile=local"), env, logDir);
    }

    private static LocalFunction launch(String name, String instance, List<String> command, Map<String, String> env,
            Path logDir) throws IOException {
        LambdaRuntimeApi runtime = new LambdaRuntimeApi(name, 0);
        Files.createDirectories(logDir);
        Path log = logDir.resolve(instance + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        builder.environment().put("AWS_LAMBDA_RUNTIME_API", runtime.address());
        builder.environment().put("AWS_LAMBDA_FUNCTION_NAME", name);
        builder.environment().put("QUARKUS_FUNQY_EXPORT", name);
        Process process = builder.start();
        return new LocalFunction(name, runtime, process, log);
    }

    /**
     * Where {@link RuntimeBootstrap} was loaded from: the local stack's classes are not in the Lambda artifact,
     * so each function JVM gets them beside the runner jar, as AWS' Java runtime sits beside the function code.
     */
    private static String bootstrapClasspath() {
        try {
            return Path.of(RuntimeBootstrap.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the function polls for its first event; fails fast when its process exits. */
    public void awaitReady(long timeoutMs) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (true) {
            try {
                runtime.ready().get(200, TimeUnit.MILLISECONDS);
                return;
            } catch (java.util.concurrent.TimeoutException e) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException(name + " did not start within " + timeoutMs + " ms; see " + log);
                }
            }
        }
    }

    /** A synchronous invoke. */
    public LambdaRuntimeApi.Result invoke(String event, long timeoutMs) throws InterruptedException {
        if (!process.isAlive()) {
            return new LambdaRuntimeApi.Result(true,
                    "{\"errorType\":\"FunctionDown\",\"errorMessage\":\"" + name + " is not running; see " + log + "\"}");
        }
        return runtime.invoke(event, timeoutMs);
    }

    public String name() {
        return name;
    }

    /** The function's process (its id for resident-memory figures). */
    public ProcessHandle process() {
        return process.toHandle();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        runtime.close();
    }
}
