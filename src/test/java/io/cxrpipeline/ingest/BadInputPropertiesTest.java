package io.cxrpipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.cxrpipeline.catalog.ImageStatus;
import io.cxrpipeline.imaging.ImageCorpus;
import io.cxrpipeline.imaging.ImageHeaders;
import io.cxrpipeline.inference.ImageHeader;
import io.cxrpipeline.inference.InvalidImageException;
import io.cxrpipeline.ingest.IndexOutcome.Outcome;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Generated bad inputs (jqwik): mutated JPEG/PNG headers through the header parser, predict's header check and the
 * whole ingest core, mutated DICOM headers (lengths included) through the header parser, read whole and from a
 * prefix as ingest does, and the ingest core, and hostile S3 keys through the key rules and the event processor.
 * Every input ends in a verdict (INDEXED, REJECTED with a reason, IGNORED, INVALID); none throws. 6,000 + 4,000 +
 * 5,000 tries per run.
 */
class BadInputPropertiesTest {

    /** Valid images of every kind the corpus has, small enough to mutate quickly. */
    private static final List<byte[]> BASES = List.of(TestImages.jpeg(40, 30, 1), TestImages.progressiveJpeg(40, 30, 2),
            TestImages.rgbJpeg(24, 20, 3), TestImages.png(30, 20, java.awt.image.BufferedImage.TYPE_BYTE_GRAY, 4),
            TestImages.png(30, 20, java.awt.image.BufferedImage.TYPE_INT_ARGB, 5),
            ImageCorpus.all().get("gray-small.png"), TestImages.withComment(TestImages.jpeg(32, 32, 6), "x"),
            TestImages.pngHeaderOnly(70_000, 70_000));

    /** Valid DICOM radiographs: explicit and implicit VR, 8 and 16 bits, nested undefined-length sequences. */
    private static final List<byte[]> DICOM_BASES = List.of(TestImages.dicomChest("P1", "1.2.3.1", 1),
            io.cxrpipeline.local.sample.DicomWriter.radiograph(io.cxrpipeline.local.sample.DicomWriter.IMPLICIT_VR_LE,
                    9, 7, new int[63], 8, 8, false, "MONOCHROME1").put(0x00100010, "PN", "Doe")
                    .raw(0x00400275, io.cxrpipeline.local.sample.DicomWriter.nestedSequences(3, true)).toBytes(),
            io.cxrpipeline.local.sample.DicomWriter.radiograph(io.cxrpipeline.local.sample.DicomWriter.EXPLICIT_VR_LE,
                    5, 5, new int[25], 16, 16, true, "MONOCHROME2")
                    .raw(0x00400275, io.cxrpipeline.local.sample.DicomWriter.nestedSequences(5)).toBytes(),
            TestImages.dicom());

    private final IngestFixture f = new IngestFixture(256);
    private final EventProcessor processor = new EventProcessor(f.service, new IngestLog(new ObjectMapper()));

    @Provide
    Arbitrary<byte[]> mutatedImages() {
        return Combinators.combine(Arbitraries.integers().between(0, BASES.size() - 1),
                Arbitraries.integers().between(0, 5), Arbitraries.longs())
                .as((base, kind, seed) -> mutate(BASES.get(base), kind, new Random(seed)));
    }

    /** Byte flips, truncation, insertion, a length field set to anything, a duplicated run, or several at once. */
    static byte[] mutate(byte[] base, int kind, Random r) {
        byte[] b = base.clone();
        if (b.length < 4) {
            byte[] out = Arrays.copyOf(b, b.length + 1 + r.nextInt(16));
            r.nextBytes(out);
            return r.nextBoolean() ? out : b;
        }
        int head = Math.min(b.length, 700); // the header lives here
        switch (kind) {
            case 0 -> {
                for (int i = 0, n = 1 + r.nextInt(8); i < n; i++) {
                    b[r.nextInt(head)] = (byte) r.nextInt(256);
                }
            }
            case 1 -> b = Arrays.copyOf(b, r.nextInt(b.length + 1));
            case 2 -> {
                int at = r.nextInt(head);
                byte[] extra = new byte[1 + r.nextInt(64)];
                r.nextBytes(extra);
                byte[] out = new byte[b.length + extra.length];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(extra, 0, out, at, extra.length);
                System.arraycopy(b, at, out, at + extra.length, b.length - at);
                b = out;
            }
            case 3 -> {
                int at = 2 + r.nextInt(Math.max(1, head - 3));
                int v = r.nextInt(65536);
                b[at] = (byte) (v >> 8);
                b[at + 1] = (byte) v;
            }
            case 4 -> {
                int from = r.nextInt(head);
                int len = Math.min(b.length - from, 1 + r.nextInt(200));
                byte[] out = new byte[b.length + len];
                System.arraycopy(b, 0, out, 0, from + len);
                System.arraycopy(b, from, out, from + len, b.length - from);
                b = out;
            }
            default -> {
                for (int i = 0; i < 3; i++) {
                    b = mutate(b, r.nextInt(5), r);
                }
            }
        }
        return b;
    }

    @Property(tries = 6000)
    void mutatedHeadersEndInAVerdictNeverAnException(@ForAll("mutatedImages") byte[] bytes) {
        ImageHeaders.Result r = ImageHeaders.parse(bytes, bytes.length);
        assertFalse(r.needsMore(), "all bytes were given");
        assertTrue((r.info() == null) != (r.rejection() == null), "exactly one of info and rejection");
        if (r.info() != null) {
            assertTrue(r.info().width() > 0 && r.info().height() > 0);
            ImageHeaders.checkEnd(r.info().format(), bytes);
        }
        try {
            ImageHeader h = ImageHeader.read(bytes);
            assertNotNull(r.info(), "predict accepts only what ingest accepts");
            assertEquals(r.info().width(), h.width());
        } catch (InvalidImageException e) {
            assertTrue(r.info() == null, "predict refuses only what ingest refuses: " + e.getMessage());
        }
        IndexOutcome o = f.service.apply(f.put("images/ds/NORMAL/m.jpeg", bytes));
        assertTrue(o.status() == ImageStatus.INDEXED || o.status() == ImageStatus.REJECTED, o.toString());
        if (o.status() == ImageStatus.REJECTED) {
            assertNotNull(o.reason());
        }
    }

    @Provide
    Arbitrary<byte[]> mutatedDicom() {
        return Combinators.combine(Arbitraries.integers().between(0, DICOM_BASES.size() - 1),
                Arbitraries.integers().between(0, 6), Arbitraries.longs())
                .as((base, kind, seed) -> {
                    Random r = new Random(seed);
                    byte[] b = DICOM_BASES.get(base);
                    if (kind < 6) {
                        return mutate(b, kind, r);
                    }
                    // A 32-bit little-endian length anywhere in the header: huge, undefined, odd or zero.
                    b = b.clone();
                    int at = 132 + r.nextInt(Math.min(b.length, 600) - 136);
                    long v = switch (r.nextInt(4)) {
                        case 0 -> 0xFFFFFFFFL;
                        case 1 -> 0x7FFFFFF1L;
                        case 2 -> r.nextInt(64);
                        default -> r.nextInt() & 0xFFFFFFFFL;
                    };
                    for (int i = 0; i < 4; i++) {
                        b[at + i] = (byte) (v >> (8 * i));
                    }
                    return b;
                });
    }

    @Property(tries = 4000)
    void mutatedDicomHeadersEndInAVerdictNeverAnException(@ForAll("mutatedDicom") byte[] bytes) {
        ImageHeaders.Result r = ImageHeaders.parse(bytes, bytes.length);
        assertFalse(r.needsMore(), "all bytes were given");
        assertTrue((r.info() == null) != (r.rejection() == null), "exactly one of info and rejection");
        // As ingest reads it: a short head, then what the reader asks for, never past the object.
        int have = Math.min(bytes.length, 200);
        ImageHeaders.Result partial = ImageHeaders.parse(Arrays.copyOf(bytes, have), bytes.length);
        for (int i = 0; partial.needsMore(); i++) {
            assertTrue(partial.needBytes() > have && partial.needBytes() <= bytes.length && i < 64, partial.toString());
            have = partial.needBytes();
            partial = ImageHeaders.parse(Arrays.copyOf(bytes, have), bytes.length);
        }
        assertEquals(r, partial, "a prefix reads as the whole object");
        try {
            ImageHeader h = ImageHeader.read(bytes);
            assertNotNull(r.info(), "predict accepts only what ingest accepts");
            assertEquals(r.info().width(), h.width());
            byte[] grey = io.cxrpipeline.imaging.dicom.DicomPixels.grey(bytes, r.info().dicom());
            assertEquals(r.info().pixels(), grey.length, "an accepted DICOM decodes");
        } catch (InvalidImageException e) {
            assertTrue(r.info() == null, "predict refuses only what ingest refuses: " + e.getMessage());
        }
        IndexOutcome o = f.service.apply(f.put("images/ds/NORMAL/m.dcm", bytes));
        assertTrue(o.status() == ImageStatus.INDEXED || o.status() == ImageStatus.REJECTED, o.toString());
        if (o.status() == ImageStatus.REJECTED) {
            assertNotNull(o.reason());
        }
    }

    @Provide
    Arbitrary<String> hostileKeys() {
        Arbitrary<String> any = Arbitraries.strings().all().ofMaxLength(120);
        Arbitrary<String> pathy = Arbitraries.strings().withChars("/.%+ \\~:#?*&=\u0000\u00e9\u200b\ud83d\ude00")
                .withCharRange('a', 'c').ofMaxLength(60);
        Arbitrary<String> segment = Arbitraries.oneOf(any, pathy, Arbitraries.of("", ".", "..", "NORMAL", "normal",
                "PNEUMONIA", "train", "val", "test", "person1_virus_2.jpeg", "%2F", "%ZZ", "%", "+"));
        return Combinators.combine(Arbitraries.of("images/", "images/ds/", "images/ds/train/NORMAL/", "", "/",
                "images//", "manifests/"), segment, segment, Arbitraries.of("", ".jpeg", ".png", "/", "/x.jpg"))
                .as((prefix, a, b, suffix) -> prefix + a + "/" + b + suffix);
    }

    private static final Set<Outcome> VERDICTS = Set.of(Outcome.WRITTEN, Outcome.IGNORED, Outcome.INVALID,
            Outcome.UNCHANGED, Outcome.SUPERSEDED, Outcome.STALE);

    @Property(tries = 5000)
    void hostileKeysEndInAVerdictNeverAnException(@ForAll("hostileKeys") String key) {
        String encoded = URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/");
        byte[] img = BASES.get(Math.floorMod(key.hashCode(), 3));
        for (String sent : List.of(encoded, key)) { // as S3 sends it, and raw (malformed escapes included)
            ObjectEvent e = f.put(key, img);
            S3EventNotification n = new S3EventNotification(List.of(new S3EventNotification.Record("aws:s3",
                    e.eventName(), "2025-01-01T00:00:00.000Z", new S3EventNotification.S3(
                            new S3EventNotification.Bucket(e.bucket()),
                            new S3EventNotification.S3Object(sent, e.size(), e.eTag(), null, e.sequencer())))));
            IndexOutcome o = processor.process(n).outcomes().get(0);
            assertTrue(VERDICTS.contains(o.outcome()), o.toString());
            if (o.outcome() == Outcome.IGNORED || o.outcome() == Outcome.INVALID) {
                assertNotNull(o.reason(), o.toString());
            }
        }
    }
}
