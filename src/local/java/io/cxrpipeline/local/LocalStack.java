package io.cxrpipeline.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.cxrpipeline.catalog.aws.TableDefinition;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The whole system on one machine, without AWS and without Docker: S3 (S3Proxy, on disk) with event
 * notifications, DynamoDB (dynalite, on disk), every function in its own JVM behind the Lambda Runtime API,
 * the HTTP API routes, and AWS Batch as a local CPU process of the training program.
 */
public final class LocalStack implements AutoCloseable {

    /** Where the local stack listens and keeps its data; every value has an environment variable. */
    public record Settings(Path projectDir, Path dataDir, String bucket, String table, int s3Port, int dynamoPort,
            int apiPort, int batchPort, String python) {

        /** Defaults, overridden by {@code CXR_LOCAL_DIR}, {@code CXR_BUCKET}, {@code CXR_TABLE}, {@code S3_PORT},
         *  {@code DYNAMODB_PORT}, {@code API_PORT}, {@code BATCH_PORT}, {@code CXR_PYTHON}. */
        public static Settings fromEnvironment() {
            Path project = Path.of("").toAbsolutePath();
            return new Settings(project,
                    project.resolve(env("CXR_LOCAL_DIR", ".local-stack")),
                    env("CXR_BUCKET", "cxr-pipeline"), env("CXR_TABLE", "cxr-pipeline"),
                    Integer.parseInt(env("S3_PORT", "4566")), Integer.parseInt(env("DYNAMODB_PORT", "8000")),
                    Integer.parseInt(env("API_PORT", "3000")), Integer.parseInt(env("BATCH_PORT", "4567")),
                    env("CXR_PYTHON", "/usr/bin/python3"));
        }

        private static String env(String name, String fallback) {
            String value = System.getenv(name);
            return value == null || value.isBlank() ? fallback : value;
        }
    }

    static {
        // See LambdaRuntimeApi: every loopback server of the stack answers without Nagle delays.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final Settings settings;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final Map<String, LocalFunction> functions = new LinkedHashMap<>();
    private EmbeddedS3 s3;
    private Dynalite dynalite;
    private ApiGatewayEmulator api;
    private BatchEmulator batch;
    private AsyncInvoker indexEvents;
    private AsyncInvoker trainingEvents;
    /** S3 events of uploads made before the indexing function's queue existed. */
    private final List<String> early = new ArrayList<>();
    private volatile AsyncInvoker splitJobs;

    private LocalStack(Settings settings) {
        this.settings = settings;
    }

    /** Starts everything; ports of 0 pick free ones (tests). */
    public static LocalStack start(Settings settings) throws Exception {
        LocalStack stack = new LocalStack(settings);
        try {
            stack.startAll();
            return stack;
        } catch (Exception e) {
            stack.close();
            throw e;
        }
    }

    private void startAll() throws Exception {
        Path app = runnerJar(settings.projectDir());
        Path logs = settings.dataDir().resolve("logs");
        Files.createDirectories(logs);

        dynalite = Dynalite.start(settings.projectDir(), settings.dynamoPort(), settings.dataDir().resolve("dynamodb"),
                logs.resolve("dynalite.log"));
        resources.add(dynalite);
        int s3Port = settings.s3Port() == 0 ? FreePorts.find() : settings.s3Port();
        int batchPort = settings.batchPort() == 0 ? FreePorts.find() : settings.batchPort();
        String s3Endpoint = "http://127.0.0.1:" + s3Port;

        // Storage first, functions after: a function's init (predict loads its model) must find S3 and DynamoDB
        // answering. S3 events wait for the indexing function in the invoker's queue.
        String bucket = settings.bucket();
        s3 = EmbeddedS3.start(s3Port, settings.dataDir().resolve("s3"),
                store -> new NotifyingBlobStore(store, bucket, "images/", this::onS3Event));
        resources.add(s3);
        StorageProbe.awaitAnswering(java.net.URI.create(s3Endpoint), dynalite.endpoint(), STORAGE_TIMEOUT);
        createBucketAndTable(s3Endpoint);

        Map<String, String> env = functionEnvironment(settings, s3Endpoint, dynalite.endpoint().toString(), batchPort);
        // Split jobs: the api function invokes itself asynchronously; a second api instance serves those
        // invocations, so that polls are answered while a job runs, as concurrent Lambda instances would.
        LambdaInvokeApi lambdaApi = new LambdaInvokeApi(0, (function, payload) -> splitJobs.submit(payload));
        resources.add(lambdaApi);
        env.put("CXR_SPLITS_LAMBDA_ENDPOINT", lambdaApi.endpoint());

        Path nativeExecutable = nativeExecutable(settings.projectDir());
        for (Map.Entry<String, Integer> f : HEAP_MB.entrySet()) {
            LocalFunction function = startFunction(f.getKey(), f.getKey(), nativeExecutable, app, env, logs);
            functions.put(f.getKey(), function);
            resources.add(function);
        }
        Path failed = failedEventsDir(settings);
        // Queues exist before the functions are ready: an upload during start-up waits, it is not lost.
        synchronized (this) {
            indexEvents = new AsyncInvoker(functions.get("index-objects"), failed);
            early.forEach(indexEvents::submit);
            early.clear();
        }
        trainingEvents = new AsyncInvoker(functions.get("training-events"), failed);
        // The second api instance starts with the first asynchronous split: most sessions never ask for one.
        splitJobs = new AsyncInvoker("api", () -> startFunction("api", "api-jobs", nativeExecutable, app, env, logs),
                failed);
        resources.add(splitJobs);
        resources.add(indexEvents);
        resources.add(trainingEvents);
        for (LocalFunction function : functions.values()) {
            function.awaitReady(120_000);
        }

        Map<String, String> jobEnv = new LinkedHashMap<>();
        jobEnv.put("CXR_S3_ENDPOINT", s3Endpoint);
        jobEnv.put("AWS_ACCESS_KEY_ID", EmbeddedS3.ACCESS_KEY);
        jobEnv.put("AWS_SECRET_ACCESS_KEY", EmbeddedS3.SECRET_KEY);
        jobEnv.put("AWS_DEFAULT_REGION", "us-east-1");
        jobEnv.put("CXR_DEVICE", "cpu");
        jobEnv.put("CXR_CACHE_DIR", settings.dataDir().resolve("cache/training").toString());
        batch = new BatchEmulator(batchPort, List.of(settings.python(), "infra/training/train.py"), jobEnv,
                settings.projectDir(), logs, trainingEvents::submit);
        resources.add(batch);

        api = new ApiGatewayEmulator(settings.apiPort(),
                path -> functions.get(path.equals("/predict") || path.startsWith("/predict/") ? "predict" : "api"));
        resources.add(api);
    }

    private synchronized void onS3Event(String event) {
        if (indexEvents == null) {
            early.add(event);
        } else {
            indexEvents.submit(event);
        }
    }

    /** The Lambda packaging leaves a runner jar beside target/lib, the same jar function.zip carries. */
    static Path runnerJar(Path projectDir) throws java.io.IOException {
        try (var candidates = Files.list(projectDir.resolve("target"))) {
            return candidates.filter(p -> p.getFileName().toString().endsWith("-runner.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException(
                            "target/*-runner.jar is missing: build it with ./mvnw package -DskipTests"));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalStateException("target/ is missing: build it with ./mvnw package -DskipTests");
        }
    }

    /** The functions of the stack, by their {@code QUARKUS_FUNQY_EXPORT} name. */
    static final List<String> FUNCTIONS = List.of("index-objects", "api", "training-events", "predict");

    /** How long the stack waits for S3 and DynamoDB to answer before it gives up. */
    static final java.time.Duration STORAGE_TIMEOUT = java.time.Duration.ofSeconds(60);

    /** The environment every function JVM gets: the stack's endpoints, names and credentials. */
    static Map<String, String> functionEnvironment(Settings settings, String s3Endpoint, String dynamoEndpoint,
            int batchPort) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_S3_ENDPOINT_OVERRIDE", s3Endpoint);
        env.put("QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE", dynamoEndpoint);
        env.put("CXR_BUCKET", settings.bucket());
        env.put("CXR_TABLE", settings.table());
        env.put("CXR_TRAINING_BATCH_ENDPOINT", "http://127.0.0.1:" + batchPort);
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", EmbeddedS3.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", EmbeddedS3.SECRET_KEY);
        env.put("CXR_INFERENCE_CACHE_DIR", settings.dataDir().resolve("model-cache").toString());
        return env;
    }

    /** The on-failure destination of asynchronous invokes: one JSON file per event that failed every attempt. */
    static Path failedEventsDir(Settings settings) {
        return settings.dataDir().resolve("failed-events");
    }

    /**
     * Delivers every kept failed event again to its function (indexing is idempotent, so an event applied twice
     * changes nothing); files of delivered events move to {@code failed-events/replayed/}.
     */
    public FailedEvents.Replay replayFailedEvents() throws Exception {
        return FailedEvents.replay(failedEventsDir(settings), functions::get);
    }

    /** Events that failed every attempt so far. */
    public long failedIndexEvents() {
        return indexEvents.failed();
    }

    /** Heaps follow the memory template.yaml gives each Lambda, scaled down for one machine. */
    public static final Map<String, Integer> HEAP_MB;

    static {
        Map<String, Integer> heaps = new LinkedHashMap<>();
        heaps.put("index-objects", 384);
        heaps.put("api", 768);
        heaps.put("training-events", 256);
        heaps.put("predict", 1536);
        HEAP_MB = java.util.Collections.unmodifiableMap(heaps);
    }

    /** The functions of the native executable (infra/native/build.sh); predict runs on the JVM either way. */
    public static final List<String> NATIVE_FUNCTIONS = List.of("index-objects", "api", "training-events");

    /**
     * The native executable named by {@code CXR_NATIVE} (the file, or a directory holding one {@code *-runner},
     * e.g. {@code target/native}; relative to the project), or null when unset: the functions then run on the JVM.
     */
    static Path nativeExecutable(Path projectDir) throws java.io.IOException {
        String value = System.getenv("CXR_NATIVE");
        return value == null || value.isBlank() ? null : nativeExecutable(projectDir, value);
    }

    /** The native executable at {@code value}: the file, or a directory holding one {@code *-runner}. */
    public static Path nativeExecutable(Path projectDir, String value) throws java.io.IOException {
        Path path = projectDir.resolve(value);
        if (Files.isDirectory(path)) {
            try (var candidates = Files.list(path)) {
                path = candidates.filter(p -> p.getFileName().toString().endsWith("-runner") && Files.isExecutable(p))
                        .findFirst().orElseThrow(() -> new IllegalStateException("CXR_NATIVE=" + value
                                + ": no *-runner executable there; build it with infra/native/build.sh"));
            }
        }
        if (!Files.isExecutable(path)) {
            throw new IllegalStateException("CXR_NATIVE=" + value + " is not an executable; build it with "
                    + "infra/native/build.sh");
        }
        return path;
    }

    private void createBucketAndTable(String s3Endpoint) {
        try (S3Client s3Client = LocalClients.s3(java.net.URI.create(s3Endpoint));
                DynamoDbClient dynamo = LocalClients.dynamo(dynalite.endpoint())) {
            try {
                s3Client.createBucket(b -> b.bucket(settings.bucket()));
            } catch (BucketAlreadyOwnedByYouException e) {
                // kept from an earlier run
            } catch (S3Exception e) {
                if (e.statusCode() != 409) {
                    throw e;
                }
            }
            try {
                dynamo.createTable(TableDefinition.createTableRequest(settings.table()));
            } catch (ResourceInUseException e) {
                // kept from an earlier run
            }
        }
    }

    public String s3Endpoint() {
        return s3.endpoint().toString();
    }

    public String dynamoEndpoint() {
        return dynalite.endpoint().toString();
    }

    public String apiEndpoint() {
        return "http://127.0.0.1:" + api.port();
    }

    /** One instance of a function: from the native executable when there is one and it holds the function. */
    private static LocalFunction startFunction(String name, String instance, Path nativeExecutable, Path app,
            Map<String, String> env, Path logs) throws java.io.IOException {
        return nativeExecutable != null && NATIVE_FUNCTIONS.contains(name)
                ? LocalFunction.startNative(name, instance, nativeExecutable, HEAP_MB.get(name), env, logs)
                : LocalFunction.start(name, instance, app, HEAP_MB.get(name), env, logs);
    }

    /** The process of the second api instance, which runs split jobs; empty until the first job started it. */
    public java.util.Optional<ProcessHandle> splitJobsProcess() {
        return splitJobs.process();
    }

    /** dynalite's process. */
    public ProcessHandle dynamoProcess() {
        return dynalite.process();
    }

    /** S3 events queued or being indexed. */
    public long pendingIndexEvents() {
        return indexEvents.pending();
    }

    @Override
    public void close() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                System.err.println("cannot stop " + resources.get(i) + ": " + e);
            }
        }
        resources.clear();
    }

    /** Runs the local stack until interrupted. */
    public static void main(String[] args) throws Exception {
        Settings settings = Settings.fromEnvironment();
        System.out.println("cxr-pipeline local stack: starting (data in " + settings.dataDir() + ")"
                + (System.getenv("CXR_NATIVE") == null ? "" : "; " + String.join(", ", NATIVE_FUNCTIONS)
                        + " native from " + System.getenv("CXR_NATIVE")));
        long start = System.nanoTime();
        LocalStack stack = new LocalStack(settings);
        // Registered before anything starts, so that Ctrl-C during start-up stops the child processes too.
        Runtime.getRuntime().addShutdownHook(new Thread(stack::close));
        try {
            stack.startAll();
        } catch (Exception e) {
            System.err.println("cxr-pipeline local stack: cannot start: " + e.getMessage());
            System.exit(1);
        }
        System.out.printf("""
                cxr-pipeline local stack is up (%.1f s)
                  S3         %s   (path-style, access key test, secret test, bucket %s)
                  DynamoDB   %s   (table %s)
                  API        %s
                  data       %s   (logs in logs/, failed events in failed-events/)
                Upload with any S3 client, e.g.
                  aws --endpoint-url %s s3 sync ./chest_xray s3://%s/images/chest_xray/
                Routes:
                """, (System.nanoTime() - start) / 1e9, stack.s3Endpoint(), settings.bucket(), stack.dynamoEndpoint(),
                settings.table(), stack.apiEndpoint(), settings.dataDir(), stack.s3Endpoint(), settings.bucket());
        ApiGatewayEmulator.routes().forEach(r -> System.out.println("  " + r));
        if (List.of(args).contains("--demo")) {
            boolean train = Demo.trainingAvailable(settings.python());
            new Demo(stack, settings.bucket(), System.out).run("chest_xray", 300, settings.dataDir().resolve("sample"),
                    train);
            System.out.println("\nDemo done. The stack keeps running: try the routes above with curl.");
        }
        System.out.println("Ctrl-C stops it; the data stays.");
        long lastIndexed = -1;
        long lastTraining = -1;
        while (true) {
            Thread.sleep(5_000);
            long indexed = stack.indexEvents.delivered();
            long training = stack.trainingEvents.delivered();
            if (indexed != lastIndexed || training != lastTraining) {
                System.out.printf("events: %d S3 delivered (%d queued, %d failed), %d Batch delivered%n", indexed,
                        stack.indexEvents.pending(), stack.indexEvents.failed(), training);
                lastIndexed = indexed;
                lastTraining = training;
            }
        }
    }
}
