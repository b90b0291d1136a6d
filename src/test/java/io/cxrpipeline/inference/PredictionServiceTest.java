package io.cxrpipeline.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cxrpipeline.api.ProblemMapper;
import io.cxrpipeline.common.DomainException;

/** The service on the committed tiny model, end to end from image bytes to probabilities, without AWS. */
class PredictionServiceTest {

    static final String BUCKET = "cxr-bucket";

    @TempDir
    Path cache;

    final ModelProviderTest.FakeStore store = new ModelProviderTest.FakeStore();
    final List<ModelProvider> providers = new ArrayList<>();

    PredictionService service(int oversample, boolean withModel) {
        ModelProvider p = new ModelProvider(null, store, new ModelProvider.Settings(false,
                withModel ? Optional.of(Fixtures.path("tiny-vgg.onnx").toString()) : Optional.empty(),
                Duration.ofSeconds(60), cache, Fixtures.options()), System::nanoTime);
        providers.add(p);
        return new PredictionService(p, store, new ImagePreprocessor(oversample),
                new PredictionService.Limits(BUCKET, 40_000_000L, 1 << 20, 16));
    }

    @AfterEach
    void close() {
        providers.forEach(ModelProvider::close);
    }

    static List<ImageInput> fixtureImages() {
        return Fixtures.IMAGES.stream().<ImageInput>map(n -> new ImageInput.Inline(n, Fixtures.bytes(n))).toList();
    }

    /** PyTorch's probabilities for the fixture images, preprocessed by torchvision. */
    static double[][] pytorch() {
        float[] logits = Fixtures.floats("tiny-vgg.image-outputs.f32");
        double[][] p = new double[logits.length / 2][];
        for (int i = 0; i < p.length; i++) {
            p[i] = PredictionTranslator.softmax(Arrays.copyOfRange(logits, 2 * i, 2 * i + 2));
        }
        return p;
    }

    static double maxDiff(PredictionResult r, double[][] expected) {
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            ImagePrediction p = r.predictions().get(i);
            max = Math.max(max, Math.abs(p.probabilities().get("NORMAL") - expected[i][0]));
            max = Math.max(max, Math.abs(p.probabilities().get("PNEUMONIA") - expected[i][1]));
        }
        return max;
    }

    @Test
    void fullResolutionPipelineMatchesPyTorchOnRealJpegAndPng() {
        PredictionResult r = service(0, true).predict(fixtureImages());
        double diff = maxDiff(r, pytorch());
        assertTrue(diff <= 1e-4, "max |probability difference| from PyTorch " + diff);
    }

    @Test
    void subsampledPipelineStaysCloseToPyTorch() {
        PredictionResult r = service(3, true).predict(fixtureImages());
        double diff = maxDiff(r, pytorch());
        System.out.printf("subsampled decode (oversample 3): max |probability difference| from PyTorch %.2e%n", diff);
        assertTrue(diff <= 1e-2, "max |probability difference| from PyTorch " + diff);
    }

    @Test
    void aBatchAnswersEveryImageInOrderWithTimings() {
        PredictionResult r = service(3, true).predict(fixtureImages());
        assertEquals(3, r.predictions().size());
        assertEquals("png", r.predictions().get(1).image().format());
        assertEquals(300, r.predictions().get(1).image().width());
        assertEquals(0.5, r.threshold());
        for (ImagePrediction p : r.predictions()) {
            double sum = p.probabilities().values().stream().mapToDouble(Double::doubleValue).sum();
            assertEquals(1.0, sum, 1e-9);
            assertEquals(List.of("NORMAL", "PNEUMONIA"), List.copyOf(p.probabilities().keySet()));
            assertTrue(p.timings().decodeMs() > 0);
        }
        assertNotNull(r.timings().totalMs());
        assertEquals(null, r.timings().fetchMs());
    }

    @Test
    void s3UriInsideTheBucketIsRead() {
        store.put("s3://" + BUCKET + "/images/demo/NORMAL/a.jpeg", Fixtures.bytes("xray-gray.jpg"));
        PredictionResult r = service(3, true).predict(List.of(new ImageInput.Stored("s3Uri",
                "s3://" + BUCKET + "/images/demo/NORMAL/a.jpeg")));
        assertEquals("jpeg", r.predictions().get(0).image().format());
        assertNotNull(r.timings().fetchMs());
    }

    static DomainException refused(PredictionService s, ImageInput in) {
        return assertThrows(DomainException.class, () -> s.predict(List.of(in)));
    }

    @Test
    void zeroBytesAreA400() {
        DomainException e = refused(service(3, true), new ImageInput.Inline("body", new byte[0]));
        assertEquals(400, status(e));
        assertEquals("body", e.field());
        assertTrue(e.getMessage().contains("empty"));
    }

    @Test
    void bytesThatAreNoImageAreA400() {
        DomainException e = refused(service(3, true), new ImageInput.Inline("image", "hello, world".getBytes()));
        assertEquals(400, status(e));
        assertEquals("image", e.field());
        assertTrue(e.getMessage().contains("not a JPEG, PNG or DICOM"));
    }

    @Test
    void aTruncatedJpegIsA400NotAGreyPrediction() {
        byte[] jpeg = Fixtures.bytes("xray-gray.jpg");
        DomainException e = refused(service(3, true), new ImageInput.Inline("body", Arrays.copyOf(jpeg, jpeg.length / 2)));
        assertEquals(400, status(e));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void aTruncatedPngIsA400() {
        byte[] png = Fixtures.bytes("xray-gray.png");
        DomainException e = refused(service(3, true), new ImageInput.Inline("body", Arrays.copyOf(png, png.length / 2)));
        assertEquals(400, status(e));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void aDecompressionBombIsRefusedFromItsHeaderBeforeAnyModelOrDecoding() {
        // No model at all: the header check must come first, so the answer is 400, not 503.
        DomainException e = refused(service(3, false),
                new ImageInput.Inline("body", ImageHeaderTest.pngHeader(100_000, 100_000)));
        assertEquals(400, status(e));
        assertTrue(e.getMessage().contains("100000x100000") && e.getMessage().contains("not decoded"), e.getMessage());
    }

    @Test
    void s3UriOutsideTheBucketIsA400() {
        DomainException e = refused(service(3, true), new ImageInput.Stored("s3Uri", "s3://someone-else/x.jpeg"));
        assertEquals(400, status(e));
        assertEquals("s3Uri", e.field());
    }

    @Test
    void aMalformedS3UriIsA400() {
        DomainException e = refused(service(3, true), new ImageInput.Stored("s3Uri", "https://x/y.jpeg"));
        assertEquals(400, status(e));
        assertEquals("s3Uri", e.field());
    }

    @Test
    void aMissingObjectIsA404() {
        DomainException e = refused(service(3, true), new ImageInput.Stored("images[1].s3Uri", "s3://" + BUCKET + "/nope"));
        assertEquals(404, status(e));
        assertEquals("images[1].s3Uri", e.field());
    }

    @Test
    void anObjectOverTheLimitIsA413() {
        store.put("s3://" + BUCKET + "/big.jpeg", new byte[(1 << 20) + 1]);
        DomainException e = refused(service(3, true), new ImageInput.Stored("s3Uri", "s3://" + BUCKET + "/big.jpeg"));
        assertEquals(413, status(e));
    }

    @Test
    void moreThanSixteenImagesIsA400() {
        List<ImageInput> many = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            many.add(new ImageInput.Inline("images[" + i + "]", Fixtures.bytes("xray-gray.png")));
        }
        DomainException e = assertThrows(DomainException.class, () -> service(3, true).predict(many));
        assertEquals(400, status(e));
        assertEquals("images", e.field());
    }

    @Test
    void aTruncatedImageIsA400EvenWithoutAModel() {
        // A permanently bad image gets the same answer whatever the model's state: decoded before the 503.
        byte[] jpeg = Fixtures.bytes("xray-gray.jpg");
        PredictionService noModel = service(3, false);
        DomainException e = assertThrows(DomainException.class, () -> noModel.predict(List.of(
                new ImageInput.Inline("images[1]", Fixtures.bytes("xray-gray.png")),
                new ImageInput.Inline("images[2]", Arrays.copyOf(jpeg, jpeg.length / 2)))));
        assertEquals(400, status(e));
        assertEquals("images[2]", e.field());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void noModelIsA503() {
        DomainException e = refused(service(3, false), new ImageInput.Inline("body", Fixtures.bytes("xray-gray.png")));
        assertEquals(503, status(e));
    }

    @Test
    void thePositiveClassNeedsToReachTheThreshold() {
        assertEquals(1, PredictionTranslator.decide(new double[] {0.3, 0.7}, 0.5));
        assertEquals(0, PredictionTranslator.decide(new double[] {0.3, 0.7}, 0.8));
        assertEquals(1, PredictionTranslator.decide(new double[] {0.7, 0.3}, 0.2));
        assertEquals(1, PredictionTranslator.decide(new double[] {0.2, 0.5, 0.3}, 0.5), "the most probable non-positive");
    }

    /** The HTTP status the edge answers for the exception. */
    static int status(DomainException e) {
        return ProblemMapper.toProblem(e, "POST", "/").status();
    }
}
