package io.cxrpipeline.inference;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

import org.jboss.logging.Logger;

import ai.onnxruntime.OrtException;
import io.cxrpipeline.common.DomainException;
import io.cxrpipeline.common.InfrastructureException;

/**
 * Keeps the one model a container serves. The first request (or startup) loads the registry's promoted model,
 * else the configured URI; later requests re-read the promoted pointer at most every {@code refresh} and swap in
 * a newly promoted version without a restart: the new session is created beside the old one, then the old one
 * closes when its last request finishes. S3 models are cached under {@code cacheDir/<version>/model.onnx}, or read
 * straight into memory when there is no {@code cacheDir} (Lambda SnapStart allows at most 512 MB of /tmp).
 */
public final class ModelProvider implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ModelProvider.class);
    private static final String MODEL_FILE = "model.onnx";
    /** Room kept free beside a model download, for the session's own temporary files. */
    private static final long SPACE_MARGIN = 16L << 20;
    /** First wait after a transient failure (connection, throttling, 5xx); doubles per failure up to the cap. */
    static final Duration TRANSIENT_FIRST = Duration.ofSeconds(1);
    static final Duration TRANSIENT_MAX = Duration.ofSeconds(30);
    /**
     * Wait after a permanent failure (object missing, not a valid ONNX model, wrong input/output contract): a broken
     * model must not be re-downloaded per request; a new promotion (another target) is tried at once.
     */
    static final Duration PERMANENT = Duration.ofMinutes(5);

    /**
     * @param useRegistry whether to follow the promoted pointer
     * @param fallbackUri the model when nothing is promoted: {@code s3://…} or a file path
     * @param refresh     least time between two looks at the pointer while a model is loaded
     * @param cacheDir    where S3 models are downloaded; null: S3 models are read into memory, not to disk
     * @param options     session and preprocessing options
     */
    public record Settings(boolean useRegistry, Optional<String> fallbackUri, Duration refresh, Path cacheDir,
            OnnxModel.Options options) {
    }

    /** What should be served: a version and its URI. */
    private record Target(String version, String uri) {
    }

    private final PromotedModels registry;
    private final BucketObjects store;
    private final Settings settings;
    private final LongSupplier nanoTime;
    private final ReentrantLock loading = new ReentrantLock();

    private volatile OnnxModel current;
    private volatile long lastCheck;
    private volatile boolean checkedOnce;
    private volatile String problem = "no model has been loaded yet";
    private Target failed;
    private long retryAt;
    private int transientFailures;

    public ModelProvider(PromotedModels registry, BucketObjects store, Settings settings, LongSupplier nanoTime) {
        this.registry = registry;
        this.store = store;
        this.settings = settings;
        this.nanoTime = nanoTime;
    }

    /**
     * The model to serve, retained for the caller, who must {@link OnnxModel#release()} it. Looks at the promoted
     * pointer first when the refresh interval has passed, and on every call while no model is loaded.
     *
     * @throws ModelUnavailableException when there is no model to serve
     */
    public OnnxModel acquire() {
        while (true) {
            OnnxModel model = current;
            if (model == null || nanoTime.getAsLong() - lastCheck >= settings.refresh().toNanos()) {
                refresh(model == null);
                model = current;
            }
            if (model == null) {
                throw new ModelUnavailableException(problem);
            }
            if (model.retain()) {
                return model;
            }
            // Swapped and closed between the read and the retain: take the new one.
        }
    }

    /**
     * A lease on the model to serve, for try-with-resources; see {@link #acquire()}.
     *
     * @throws ModelUnavailableException when there is no model to serve
     */
    public ModelLease lease() {
        return new ModelLease(acquire());
    }

    /** Loads the model now if one is promoted or configured; failures are logged, not thrown (startup). */
    public void warmUp() {
        refresh(true);
        OnnxModel model = current;
        if (model != null) {
            LOG.infof("serving %s, loaded in %d ms", model, model.loadMillis());
        } else {
            LOG.infof("no model to serve yet: %s", problem);
        }
    }

    /**
     * Looks at the promoted pointer now, whatever the refresh interval (after a restore from a snapshot, which may
     * be days older than the pointer). Loads nothing: when the pointer names another model, the next request loads
     * it; otherwise the refresh interval restarts now.
     *
     * @return whether the model being served is the one to serve
     */
    public boolean recheck() {
        loading.lock();
        try {
            OnnxModel serving = current;
            Target target = target();
            boolean same = serving != null && target != null && serving.version().equals(target.version())
                    && serving.uri().equals(target.uri());
            lastCheck = nanoTime.getAsLong() - (same ? 0 : settings.refresh().toNanos());
            checkedOnce = same;
            return same;
        } finally {
            loading.unlock();
        }
    }

    /** The version being served, if any. */
    public Optional<String> currentVersion() {
        OnnxModel model = current;
        return model == null ? Optional.empty() : Optional.of(model.version());
    }

    private void refresh(boolean wait) {
        if (wait) {
            loading.lock();
        } else if (!loading.tryLock()) {
            return; // another request is already looking: serve the current model meanwhile
        }
        try {
            long now = nanoTime.getAsLong();
            if (current != null && checkedOnce && now - lastCheck < settings.refresh().toNanos()) {
                return;
            }
            lastCheck = now;
            checkedOnce = true;
            Target target = target();
            if (target == null) {
                if (current == null) {
                    problem = "no model is promoted in the registry"
                            + (settings.useRegistry() ? "" : " (registry switched off)")
                            + " and cxr.inference.model-uri is not set";
                }
                return;
            }
            OnnxModel serving = current;
            if (serving != null && serving.version().equals(target.version()) && serving.uri().equals(target.uri())) {
                return;
            }
            if (target.equals(failed) && now - retryAt < 0) {
                return;
            }
            try {
                OnnxModel loaded = load(target);
                current = loaded;
                failed = null;
                transientFailures = 0;
                if (serving != null) {
                    LOG.infof("now serving %s (was %s), loaded in %d ms", loaded, serving.version(), loaded.loadMillis());
                    serving.close();
                }
            } catch (ModelUnavailableException e) {
                // Thrown by the load itself for a missing or unusable model: permanent, unlike a storage failure.
                failPermanent(target, now, e.getMessage());
            } catch (InfrastructureException e) {
                failTransient(target, now, e.getMessage(), null);
            } catch (IOException e) {
                failTransient(target, now, e.getMessage(), e);
            } catch (OrtException e) {
                failPermanent(target, now, "not a valid ONNX model: " + e.getMessage());
            } catch (IllegalArgumentException e) {
                failPermanent(target, now, "wrong input/output contract: " + e.getMessage());
            } catch (DomainException e) {
                failPermanent(target, now, e.getMessage());
            } catch (Exception e) {
                failTransient(target, now, e.getMessage(), e);
            }
        } finally {
            loading.unlock();
        }
    }

    /** Connection refused, throttling, 5xx, a failed download: retried after 1 s, 2 s, 4 s … up to 30 s. */
    private void failTransient(Target target, long now, String why, Exception e) {
        if (!target.equals(failed)) {
            transientFailures = 0;
        }
        Duration wait = transientBackoff(transientFailures++);
        fail(target, now, wait, "transient failure, retrying in " + wait.toMillis() + " ms: " + why, e);
    }

    /** Missing object, invalid ONNX, wrong contract: retried only after {@link #PERMANENT} or on a new promotion. */
    private void failPermanent(Target target, long now, String why) {
        transientFailures = 0;
        fail(target, now, PERMANENT, "permanent failure, next try in " + PERMANENT.toMinutes() + " min: " + why, null);
    }

    /** The wait after the {@code n}-th consecutive transient failure (0-based): 1 s doubling, capped at 30 s. */
    static Duration transientBackoff(int n) {
        long ms = TRANSIENT_FIRST.toMillis() << Math.min(n, 20);
        return Duration.ofMillis(Math.min(ms, TRANSIENT_MAX.toMillis()));
    }

    private void fail(Target target, long now, Duration wait, String why, Exception e) {
        failed = target;
        retryAt = now + wait.toNanos();
        String msg = "model " + target.version() + " (" + target.uri() + ") cannot be loaded: " + why;
        if (current == null) {
            problem = msg;
        }
        if (e != null) {
            LOG.error(msg, e);
        } else {
            LOG.error(msg);
        }
    }

    /** The promoted pointer, else the configured URI; null when neither. */
    private Target target() {
        if (settings.useRegistry() && registry != null) {
            try {
                Optional<ModelPointer> promoted = registry.promoted();
                if (promoted.isPresent()) {
                    return new Target(promoted.get().version(), promoted.get().modelUri());
                }
            } catch (InfrastructureException e) {
                LOG.warnf("cannot read the promoted model pointer: %s", e.getMessage());
                if (current != null) {
                    return new Target(current.version(), current.uri()); // keep serving what we have
                }
                if (settings.fallbackUri().isEmpty()) {
                    throw new ModelUnavailableException("the model registry cannot be read: " + e.getMessage());
                }
            }
        }
        return settings.fallbackUri().map(uri -> new Target(uri, uri)).orElse(null);
    }

    private OnnxModel load(Target target) throws Exception {
        if (settings.cacheDir() == null && target.uri() != null && target.uri().startsWith("s3://")) {
            S3Location location = location(target);
            long size = stat(location).size();
            if (size > Integer.MAX_VALUE - 8) {
                throw new ModelUnavailableException("the model " + location + " is too large to read into memory");
            }
            long start = System.nanoTime();
            ByteBuffer model = store.readDirect(location, size);
            try {
                LOG.infof("read %s (%d MB) into memory in %d ms", location, size >> 20,
                        (System.nanoTime() - start) / 1_000_000);
                return OnnxModel.load(model, target.version(), target.uri(), settings.options());
            } finally {
                DirectMemory.free(model); // the session holds its own copy of the weights
            }
        }
        Path file = materialize(target);
        LOG.infof("loading model %s from %s", target.version(), file);
        return OnnxModel.load(file, target.version(), target.uri(), settings.options());
    }

    /** The model as a local file: S3 objects are downloaded once per version into the cache. */
    Path materialize(Target target) throws IOException {
        String uri = target.uri();
        if (uri == null || uri.isBlank()) {
            throw new ModelUnavailableException("the promoted model " + target.version() + " has no modelUri");
        }
        if (!uri.startsWith("s3://")) {
            Path file = uri.startsWith("file:") ? Path.of(java.net.URI.create(uri)) : Path.of(uri);
            if (!Files.isRegularFile(file)) {
                throw new ModelUnavailableException("the model file " + file + " does not exist");
            }
            return file;
        }
        S3Location location = location(target);
        BucketObjects.ObjectInfo info = stat(location);
        Path dir = settings.cacheDir().resolve(directoryName(target));
        Path file = dir.resolve(MODEL_FILE);
        Path tag = dir.resolve(MODEL_FILE + ".etag");
        if (Files.isRegularFile(file) && Files.size(file) == info.size()
                && (info.etag() == null || !Files.exists(tag) || Files.readString(tag).equals(info.etag()))) {
            LOG.infof("model %s found in the cache at %s", target.version(), file);
            return file;
        }
        Files.createDirectories(dir);
        ensureSpace(info.size(), dir);
        Path part = dir.resolve(MODEL_FILE + ".part");
        long start = System.nanoTime();
        store.download(location, part);
        Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        if (info.etag() != null) {
            Files.writeString(tag, info.etag());
        }
        LOG.infof("downloaded %s (%d MB) in %d ms", uri, info.size() >> 20, (System.nanoTime() - start) / 1_000_000);
        return file;
    }

    private static S3Location location(Target target) {
        try {
            return S3Location.parse(target.uri());
        } catch (IllegalArgumentException e) {
            throw new ModelUnavailableException("the model URI " + target.uri() + " is malformed: " + e.getMessage());
        }
    }

    private BucketObjects.ObjectInfo stat(S3Location location) {
        try {
            return store.stat(location);
        } catch (ObjectNotFoundException e) {
            throw new ModelUnavailableException("the model object " + location + " does not exist or is not readable");
        }
    }

    /** Makes room for a download, evicting other cached versions (never the one being served) if needed. */
    private void ensureSpace(long size, Path keep) throws IOException {
        // Written apart as graph and weights before it loads (OnnxModel.Options#weightsDir): twice its size meanwhile.
        long need = (settings.options().weightsDir() != null ? 2 * size : size) + SPACE_MARGIN;
        long free = Files.getFileStore(settings.cacheDir()).getUsableSpace();
        if (free >= need) {
            return;
        }
        OnnxModel serving = current;
        Path servingDir = serving == null ? null : settings.cacheDir().resolve(directoryName(
                new Target(serving.version(), serving.uri())));
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(settings.cacheDir())) {
            for (Path d : dirs) {
                if (Files.isDirectory(d) && !d.equals(keep) && !d.equals(servingDir)) {
                    LOG.infof("evicting cached model %s to make room", d.getFileName());
                    deleteTree(d);
                }
            }
        }
        free = Files.getFileStore(settings.cacheDir()).getUsableSpace();
        if (free < need) {
            throw new ModelUnavailableException("the model needs " + (need >> 20) + " MB in " + settings.cacheDir()
                    + " but " + (free >> 20) + " MB are free: raise the function's ephemeral storage");
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                if (Files.isDirectory(f)) {
                    deleteTree(f);
                } else {
                    Files.deleteIfExists(f);
                }
            }
        }
        Files.deleteIfExists(dir);
    }

    /** A safe directory name: the version itself when it is tame, else a digest of version and URI. */
    static String directoryName(Target target) {
        String v = target.version();
        if (v != null && v.matches("[A-Za-z0-9._-]{1,100}") && !v.startsWith(".")) {
            return v;
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest((v + "\n" + target.uri()).getBytes(StandardCharsets.UTF_8));
            return "m-" + HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        loading.lock();
        try {
            OnnxModel model = current;
            current = null;
            if (model != null) {
                model.close();
            }
        } finally {
            loading.unlock();
        }
    }
}
