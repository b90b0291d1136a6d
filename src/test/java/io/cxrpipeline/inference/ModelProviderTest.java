package io.cxrpipeline.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.cxrpipeline.common.InfrastructureException;

class ModelProviderTest {

    static final Duration REFRESH = Duration.ofSeconds(60);

    /** A registry whose pointer the test moves; it can also be made unreachable. */
    static final class FakeRegistry implements PromotedModels {
        volatile ModelPointer pointer;
        volatile boolean down;
        final AtomicInteger reads = new AtomicInteger();

        @Override
        public Optional<ModelPointer> promoted() {
            reads.incrementAndGet();
            if (down) {
                throw new InfrastructureException("storage", "registry unreachable");
            }
            return Optional.ofNullable(pointer);
        }
    }

    /** An in-memory bucket that counts downloads. */
    static final class FakeStore implements BucketObjects {
        final Map<String, byte[]> objects = new HashMap<>();
        final AtomicInteger downloads = new AtomicInteger();
        final AtomicInteger stats = new AtomicInteger();
        volatile boolean refusing;

        void put(String uri, byte[] bytes) {
            objects.put(uri, bytes);
        }

        private byte[] get(S3Location l) {
            byte[] b = objects.get(l.uri());
            if (b == null) {
                throw new ObjectNotFoundException(l);
            }
            return b;
        }

        @Override
        public ObjectInfo stat(S3Location l) {
            stats.incrementAndGet();
            if (refusing) {
                throw new InfrastructureException("storage", "Connection refused (SDK Attempt Count: 4)");
            }
            return new ObjectInfo(get(l).length, "\"" + Integer.toHexString(java.util.Arrays.hashCode(get(l))) + "\"");
        }

        @Override
        public byte[] read(S3Location l, long maxBytes) {
            byte[] b = get(l);
            if (b.length > maxBytes) {
                throw new ObjectTooLargeException(l, b.length, maxBytes);
            }
            return b;
        }

        @Override
        public void download(S3Location l, Path target) {
            downloads.incrementAndGet();
            try {
                Files.write(target, get(l));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @TempDir
    Path cache;

    final FakeRegistry registry = new FakeRegistry();
    final FakeStore store = new FakeStore();
    final AtomicLong clock = new AtomicLong(1_000_000_000L);

    ModelProvider provider(Optional<String> fallback) {
        return new ModelProvider(registry, store, new ModelProvider.Settings(true, fallback, REFRESH, cache,
                Fixtures.options()), clock::get);
    }

    void promote(String version, String fixture) {
        String uri = "s3://bucket/training-runs/" + version + "/model.onnx";
        store.put(uri, Fixtures.bytes(fixture));
        registry.pointer = new ModelPointer(version, uri);
    }

    static String served(ModelProvider p) {
        OnnxModel m = p.acquire();
        try {
            return m.version();
        } finally {
            m.release();
        }
    }

    @Test
    void servesThePromotedModelFromAVersionedCache() {
        promote("run-1", "tiny-vgg.onnx");
        try (ModelProvider p = provider(Optional.empty())) {
            assertEquals("run-1", served(p));
            assertTrue(Files.isRegularFile(cache.resolve("run-1/model.onnx")));
            assertEquals(1, store.downloads.get());
        }
    }

    @Test
    void aCachedVersionIsNotDownloadedAgain() {
        promote("run-1", "tiny-vgg.onnx");
        try (ModelProvider p = provider(Optional.empty())) {
            served(p);
        }
        try (ModelProvider p = provider(Optional.empty())) {
            assertEquals("run-1", served(p));
        }
        assertEquals(1, store.downloads.get());
    }

    @Test
    void withoutPromotionOrUriThereIsNoModel() {
        try (ModelProvider p = provider(Optional.empty())) {
            ModelUnavailableException e = assertThrows(ModelUnavailableException.class, p::acquire);
            assertTrue(e.getMessage().contains("no model is promoted"), e.getMessage());
        }
    }

    @Test
    void theConfiguredUriServesWhenNothingIsPromoted() {
        String file = Fixtures.path("tiny-vgg.onnx").toString();
        try (ModelProvider p = provider(Optional.of(file))) {
            assertEquals(file, served(p));
        }
    }

    @Test
    void whileNoModelIsLoadedEveryRequestLooksForAPromotion() {
        try (ModelProvider p = provider(Optional.empty())) {
            assertThrows(ModelUnavailableException.class, p::acquire);
            promote("run-1", "tiny-vgg.onnx");
            assertEquals("run-1", served(p)); // same instant: no waiting for the refresh interval
        }
    }

    @Test
    void aNewPromotionIsServedAfterTheRefreshIntervalWithoutARestart() throws Exception {
        promote("run-1", "tiny-vgg.onnx");
        try (ModelProvider p = provider(Optional.empty())) {
            assertEquals("run-1", served(p));
            OnnxModel inFlight = p.acquire(); // a request still running on run-1 during the swap
            promote("run-2", "tiny-vgg-int8.onnx");
            int reads = registry.reads.get();
            clock.addAndGet(Duration.ofSeconds(59).toNanos());
            assertEquals("run-1", served(p));
            assertEquals(reads, registry.reads.get(), "the pointer is not re-read within the interval");
            clock.addAndGet(Duration.ofSeconds(2).toNanos());
            assertEquals("run-2", served(p));
            // The replaced session stays usable until its last request lets go.
            float[][] out = inFlight.run(OnnxModel.allocate(inFlight.preprocessing().tensorSize()), 1);
            assertEquals(2, out[0].length);
            inFlight.release();
            assertEquals(false, inFlight.retain(), "closed once released");
        }
    }

    @Test
    void aBrokenPromotionKeepsThePreviousModelServing() {
        promote("run-1", "tiny-vgg.onnx");
        try (ModelProvider p = provider(Optional.empty())) {
            served(p);
            store.put("s3://bucket/training-runs/run-2/model.onnx", "not a model".getBytes());
            registry.pointer = new ModelPointer("run-2", "s3://bucket/training-runs/run-2/model.onnx");
            clock.addAndGet(REFRESH.toNanos());
            assertEquals("run-1", served(p));
        }
    }

    @Test
    void aBrokenFirstModelIsUnavailableAndNotDownloadedPerRequest() {
        store.put("s3://bucket/training-runs/bad/model.onnx", "not a model".getBytes());
        registry.pointer = new ModelPointer("bad", "s3://bucket/training-runs/bad/model.onnx");
        try (ModelProvider p = provider(Optional.empty())) {
            ModelUnavailableException e = assertThrows(ModelUnavailableException.class, p::acquire);
            assertTrue(e.getMessage().contains("bad"), e.getMessage());
            assertThrows(ModelUnavailableException.class, p::acquire);
            assertEquals(1, store.downloads.get());
        }
    }

    @Test
    void aRegistryOutageKeepsTheCurrentModelServing() {
        promote("run-1", "tiny-vgg.onnx");
        try (ModelProvider p = provider(Optional.empty())) {
            served(p);
            registry.down = true;
            clock.addAndGet(REFRESH.toNanos());
            assertEquals("run-1", served(p));
        }
    }

    @Test
    void aMissingModelObjectIsUnavailableNamingIt() {
        registry.pointer = new ModelPointer("gone", "s3://bucket/training-runs/gone/model.onnx");
        try (ModelProvider p = provider(Optional.empty())) {
            ModelUnavailableException e = assertThrows(ModelUnavailableException.class, p::acquire);
            assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        }
    }

    @Test
    void unsafeVersionNamesDoNotEscapeTheCache() {
        promote("../../etc", "tiny-vgg.onnx");
        try (ModelProvider p = provider(Optional.empty())) {
            assertEquals("../../etc", served(p));
        }
        try (var dirs = Files.list(cache)) {
            assertTrue(dirs.allMatch(d -> d.getFileName().toString().startsWith("m-")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aTransientFetchFailureIsRetriedWithinSecondsNotMinutes() {
        promote("run-1", "tiny-vgg.onnx");
        store.refusing = true; // S3 not accepting connections yet (stack restart)
        try (ModelProvider p = provider(Optional.empty())) {
            p.warmUp();
            ModelUnavailableException e = assertThrows(ModelUnavailableException.class, p::acquire);
            assertTrue(e.getMessage().contains("transient"), e.getMessage());
            assertEquals(1, store.stats.get(), "no retry before the first backoff has passed");
            clock.addAndGet(Duration.ofSeconds(1).toNanos());
            assertThrows(ModelUnavailableException.class, p::acquire);
            assertEquals(2, store.stats.get(), "retried after 1 s");
            clock.addAndGet(Duration.ofSeconds(1).toNanos());
            assertThrows(ModelUnavailableException.class, p::acquire);
            assertEquals(2, store.stats.get(), "the second wait is 2 s");
            store.refusing = false;
            clock.addAndGet(Duration.ofSeconds(1).toNanos());
            assertEquals("run-1", served(p), "served 3 s after S3 came back, not 5 minutes");
        }
    }

    @Test
    void transientBackoffDoublesFromOneSecondUpToThirty() {
        assertEquals(Duration.ofSeconds(1), ModelProvider.transientBackoff(0));
        assertEquals(Duration.ofSeconds(2), ModelProvider.transientBackoff(1));
        assertEquals(Duration.ofSeconds(16), ModelProvider.transientBackoff(4));
        assertEquals(Duration.ofSeconds(30), ModelProvider.transientBackoff(5));
        assertEquals(Duration.ofSeconds(30), ModelProvider.transientBackoff(1000));
    }

    @Test
    void aPermanentFailureSaysWhichAndBacksOffLonger() {
        store.put("s3://bucket/training-runs/bad/model.onnx", "not a model".getBytes());
        registry.pointer = new ModelPointer("bad", "s3://bucket/training-runs/bad/model.onnx");
        try (ModelProvider p = provider(Optional.empty())) {
            ModelUnavailableException e = assertThrows(ModelUnavailableException.class, p::acquire);
            assertTrue(e.getMessage().contains("permanent") && e.getMessage().contains("not a valid ONNX model"),
                    e.getMessage());
            clock.addAndGet(Duration.ofMinutes(4).toNanos());
            assertThrows(ModelUnavailableException.class, p::acquire);
            assertEquals(1, store.stats.get(), "not looked at again within the permanent backoff");
            clock.addAndGet(Duration.ofMinutes(1).toNanos());
            assertThrows(ModelUnavailableException.class, p::acquire);
            assertEquals(2, store.stats.get(), "tried again after it");
        }
    }

    @Test
    void aMissingObjectIsAPermanentFailure() {
        registry.pointer = new ModelPointer("gone", "s3://bucket/training-runs/gone/model.onnx");
        try (ModelProvider p = provider(Optional.empty())) {
            ModelUnavailableException e = assertThrows(ModelUnavailableException.class, p::acquire);
            assertTrue(e.getMessage().contains("permanent"), e.getMessage());
            clock.addAndGet(Duration.ofSeconds(30).toNanos());
            assertThrows(ModelUnavailableException.class, p::acquire);
            assertEquals(1, store.stats.get());
        }
    }
}
