package io.cxrpipeline.imaging.jpeg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.cxrpipeline.imaging.ImageCorpus;
import io.cxrpipeline.ingest.TestImages;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The grey JPEG decoder against Pillow's {@code draft} (libjpeg-turbo's DCT scaling), and on damaged data. */
class GreyJpegDecoderTest {

    static final String PYTHON = System.getenv().getOrDefault("CXR_PYTHON", "/usr/bin/python3");

    @TempDir
    Path dir;

    /** Grey sequential JPEGs of every kind the corpus has: sizes, qualities, restart intervals, textured ones. */
    static Map<String, byte[]> greyJpegs() {
        Map<String, byte[]> c = new LinkedHashMap<>(ImageCorpus.dctScaled());
        Map<String, byte[]> all = ImageCorpus.all();
        for (String name : List.of("gray.jpg", "gray-large.jpg", "restart-markers.jpg", "exif-rotated.jpg")) {
            c.put(name, all.get(name));
        }
        c.put("textured-203x117.jpg", TestImages.jpeg(203, 117, 11));
        c.put("small-37x21.jpg", TestImages.jpeg(37, 21, 12));
        return c;
    }

    @Test
    void decodesWhatPillowsDraftDecodesBitForBitAtEveryScale() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(PYTHON)), PYTHON + " is not installed");
        Map<String, byte[]> jpegs = greyJpegs();
        List<String> args = new ArrayList<>(List.of(PYTHON, "-c", String.join("\n",
                "import sys",
                "from PIL import Image",
                "for f in sys.argv[1:]:",
                "    for s in (1, 2, 4, 8):",
                "        with Image.open(f) as im:",
                "            w, h = im.size",
                "            im.draft('L', (max(1, w // s), max(1, h // s)))",
                "            assert im.size == ((w + s - 1) // s, (h + s - 1) // s), (f, s, im.size)",
                "            with open(f'{f}.{s}.raw', 'wb') as out:",
                "                out.write(im.convert('L').tobytes())")));
        for (Map.Entry<String, byte[]> e : jpegs.entrySet()) {
            Path f = dir.resolve(e.getKey());
            Files.write(f, e.getValue());
            args.add(f.toString());
        }
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python timed out");
        Assumptions.assumeFalse(output.contains("No module named 'PIL'"), "Pillow missing: " + output);
        assertEquals(0, p.exitValue(), output);
        StringBuilder report = new StringBuilder();
        int differing = 0;
        for (Map.Entry<String, byte[]> e : jpegs.entrySet()) {
            for (int s : new int[] {1, 2, 4, 8}) {
                byte[] pillow = Files.readAllBytes(dir.resolve(e.getKey() + "." + s + ".raw"));
                GreyImage ours = GreyJpegDecoder.decode(e.getValue(), s);
                assertNotNull(ours, e.getKey());
                assertEquals(pillow.length, ours.width() * ours.height(), e.getKey() + " at 1/" + s);
                int n = 0;
                for (int i = 0; i < pillow.length; i++) {
                    n += pillow[i] != ours.pixels()[i] ? 1 : 0;
                }
                differing += n;
                report.append(e.getKey()).append(" 1/").append(s).append(": ").append(n).append("; ");
            }
        }
        System.out.println("samples differing from Pillow's draft: " + report);
        assertEquals(0, differing, report.toString());
    }

    @ParameterizedTest
    @CsvSource({"2000,1500,224,4", "1000,900,224,4", "600,500,224,2", "300,300,224,1", "200,900,224,1",
            "1799,1795,224,8", "4000,4000,224,8", "448,447,224,1", "448,448,224,2", "1024,800,64,8", "64,64,64,1"})
    void theScaleIsPillowsDraftRule(int width, int height, int size, int scale) {
        assertEquals(scale, GreyJpegDecoder.draftScale(width, height, size));
    }

    @Test
    void otherImagesAreNotThisDecoders() {
        Map<String, byte[]> all = ImageCorpus.all();
        for (String name : List.of("rgb.jpg", "progressive.jpg", "cmyk.jpg", "gray.png")) {
            assertFalse(GreyJpegDecoder.isGreySequential(all.get(name)), name);
            assertNull(GreyJpegDecoder.decode(all.get(name), 2), name);
        }
        assertTrue(GreyJpegDecoder.isGreySequential(all.get("exif-rotated.jpg")));
        assertThrows(IllegalArgumentException.class, () -> GreyJpegDecoder.decode(all.get("gray.jpg"), 3));
    }

    static int entropyStart(byte[] jpeg) {
        for (int i = 0; i + 3 < jpeg.length; i++) {
            if ((jpeg[i] & 0xff) == 0xFF && (jpeg[i + 1] & 0xff) == 0xDA) {
                return i + 2 + (((jpeg[i + 2] & 0xff) << 8) | (jpeg[i + 3] & 0xff));
            }
        }
        throw new AssertionError("no SOS");
    }

    @Test
    void aTruncatedImageIsRefusedAsTruncated() {
        byte[] jpeg = ImageCorpus.all().get("gray.jpg");
        int data = entropyStart(jpeg);
        for (int length : new int[] {data - 3, data + 10, (data + jpeg.length) / 2, jpeg.length - 3,
                jpeg.length - 2, jpeg.length - 1}) {
            byte[] cut = Arrays.copyOf(jpeg, length);
            CorruptJpegException e = assertThrows(CorruptJpegException.class, () -> GreyJpegDecoder.decode(cut, 2),
                    "cut at " + length);
            assertTrue(e.truncated(), length + ": " + e.getMessage());
        }
    }

    @Test
    void entropyDataThatStopsAtAMarkerBeforeTheLastBlockIsRefused() {
        byte[] jpeg = ImageCorpus.all().get("gray.jpg");
        int data = entropyStart(jpeg);
        // The image ends (EOI) a third of the way through its data: libjpeg would pad it with grey.
        byte[] early = Arrays.copyOf(jpeg, data + (jpeg.length - data) / 3 + 2);
        early[early.length - 2] = (byte) 0xFF;
        early[early.length - 1] = (byte) 0xD9;
        CorruptJpegException e = assertThrows(CorruptJpegException.class, () -> GreyJpegDecoder.decode(early, 1));
        assertFalse(e.truncated());
        assertTrue(e.getMessage().contains("premature end"), e.getMessage());
    }

    @Test
    void anInvalidHuffmanCodeIsRefused() {
        byte[] jpeg = ImageCorpus.all().get("gray.jpg").clone();
        int data = entropyStart(jpeg);
        // Stuffed 0xFF bytes: a run of one bits, which no Huffman table of the standard assigns.
        for (int i = data + 200; i < data + 240; i += 2) {
            jpeg[i] = (byte) 0xFF;
            jpeg[i + 1] = 0;
        }
        CorruptJpegException e = assertThrows(CorruptJpegException.class, () -> GreyJpegDecoder.decode(jpeg, 4));
        assertTrue(e.getMessage().contains("Huffman code"), e.getMessage());
    }

    @Test
    void aMissingRestartMarkerIsRefused() {
        byte[] jpeg = ImageCorpus.all().get("restart-markers.jpg");
        int data = entropyStart(jpeg);
        int rst = data;
        while (!((jpeg[rst] & 0xff) == 0xFF && (jpeg[rst + 1] & 0xff) == 0xD1)) {
            rst++;
        }
        byte[] without = new byte[jpeg.length - 2];
        System.arraycopy(jpeg, 0, without, 0, rst);
        System.arraycopy(jpeg, rst + 2, without, rst, jpeg.length - rst - 2);
        CorruptJpegException e = assertThrows(CorruptJpegException.class, () -> GreyJpegDecoder.decode(without, 1));
        assertTrue(e.getMessage().contains("RST1 expected"), e.getMessage());
        GreyImage whole = GreyJpegDecoder.decode(jpeg, 1);
        assertEquals(640 * 480, whole.pixels().length);
    }

    @Test
    void aSecondScanOrFrameIsRefused() throws IOException {
        byte[] jpeg = ImageCorpus.all().get("gray.jpg");
        int data = entropyStart(jpeg);
        int sos = data;
        while (!((jpeg[sos] & 0xff) == 0xFF && (jpeg[sos + 1] & 0xff) == 0xDA)) {
            sos--;
        }
        // The whole scan again before EOI.
        byte[] twice = new byte[jpeg.length + (jpeg.length - 2 - sos)];
        System.arraycopy(jpeg, 0, twice, 0, jpeg.length - 2);
        System.arraycopy(jpeg, sos, twice, jpeg.length - 2, jpeg.length - sos);
        CorruptJpegException e = assertThrows(CorruptJpegException.class, () -> GreyJpegDecoder.decode(twice, 8));
        assertTrue(e.getMessage().contains("more than one scan"), e.getMessage());
    }

    @Test
    void bytesAfterTheEndOfImageAreIgnored() {
        byte[] jpeg = ImageCorpus.all().get("gray.jpg");
        byte[] padded = Arrays.copyOf(jpeg, jpeg.length + 100);
        assertArrayEquals(GreyJpegDecoder.decode(jpeg, 2).pixels(), GreyJpegDecoder.decode(padded, 2).pixels());
    }

    /** Small grey JPEGs with and without restart markers: quick to mutate, every structure the decoder reads. */
    private static final List<byte[]> BASES = List.of(TestImages.jpeg(40, 30, 1), TestImages.jpeg(33, 17, 2),
            ImageCorpus.jpeg(ImageCorpus.gray8(48, 40), false, 0.5f, 3));

    @Provide
    Arbitrary<byte[]> damaged() {
        return Combinators.combine(Arbitraries.integers().between(0, BASES.size() - 1),
                Arbitraries.integers().between(0, 3), Arbitraries.longs())
                .as((base, kind, seed) -> damage(BASES.get(base), kind, new Random(seed)));
    }

    /** Byte changes anywhere (headers and entropy data), a cut, an inserted run, or a marker-like pair. */
    static byte[] damage(byte[] base, int kind, Random r) {
        byte[] b = base.clone();
        switch (kind) {
            case 0 -> {
                for (int i = 0, n = 1 + r.nextInt(6); i < n; i++) {
                    b[2 + r.nextInt(b.length - 2)] = (byte) r.nextInt(256);
                }
            }
            case 1 -> b = Arrays.copyOf(b, 2 + r.nextInt(b.length - 1));
            case 2 -> {
                int at = 2 + r.nextInt(b.length - 2);
                byte[] extra = new byte[1 + r.nextInt(40)];
                r.nextBytes(extra);
                byte[] out = new byte[b.length + extra.length];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(extra, 0, out, at, extra.length);
                System.arraycopy(b, at, out, at + extra.length, b.length - at);
                b = out;
            }
            default -> {
                int at = 2 + r.nextInt(b.length - 3);
                b[at] = (byte) 0xFF;
                b[at + 1] = (byte) (0xC0 + r.nextInt(64));
            }
        }
        return b;
    }

    @Property(tries = 3000)
    void damagedDataDecodesOrIsRefusedNeverAnotherException(@ForAll("damaged") byte[] bytes) {
        for (int s : new int[] {1, 8}) {
            try {
                GreyImage image = GreyJpegDecoder.decode(bytes, s);
                if (image != null) {
                    assertEquals(image.width() * image.height(), image.pixels().length);
                }
            } catch (CorruptJpegException e) {
                assertNotNull(e.getMessage());
            }
        }
    }
}
