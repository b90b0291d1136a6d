package io.cxrpipeline.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32;

import org.junit.jupiter.api.Test;

class ImageHeaderTest {

    /** A PNG signature and IHDR chunk declaring the given size, and nothing else: a bomb's header. */
    static byte[] pngHeader(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(33);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        b.putInt(13).put(new byte[] {'I', 'H', 'D', 'R'}).putInt(width).putInt(height);
        b.put(new byte[] {8, 0, 0, 0, 0}); // 8-bit gray
        CRC32 crc = new CRC32();
        crc.update(b.array(), 12, 17);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    @Test
    void readsJpegDimensionsFromTheFrameHeader() {
        ImageHeader h = ImageHeader.read(Fixtures.bytes("xray-gray.jpg"));
        assertEquals(new ImageHeader("jpeg", 1024, 800), h);
    }

    @Test
    void readsPngDimensionsFromIhdr() {
        assertEquals(new ImageHeader("png", 300, 400), ImageHeader.read(Fixtures.bytes("xray-gray.png")));
        assertEquals(new ImageHeader("png", 320, 256), ImageHeader.read(Fixtures.bytes("xray-rgb.png")));
    }

    @Test
    void declaredBombDimensionsAreReadWithoutPixelData() {
        ImageHeader h = ImageHeader.read(pngHeader(100_000, 100_000));
        assertEquals(10_000_000_000L, h.pixels());
    }

    @Test
    void emptyBytesAreRefused() {
        InvalidImageException e = assertThrows(InvalidImageException.class, () -> ImageHeader.read(new byte[0]));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void otherFormatsAreRefused() {
        InvalidImageException e = assertThrows(InvalidImageException.class,
                () -> ImageHeader.read("GIF89a....".getBytes()));
        assertTrue(e.getMessage().contains("not a JPEG, PNG or DICOM"), e.getMessage());
        assertTrue(e.getMessage().contains("GIF"), e.getMessage());
    }

    @Test
    void pngWithADamagedHeaderIsCorrupt() {
        byte[] png = pngHeader(10, 10);
        png[20] ^= 1; // the height changes, the CRC no longer matches
        InvalidImageException e = assertThrows(InvalidImageException.class, () -> ImageHeader.read(png));
        assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
    }

    @Test
    void jpegCutBeforeItsFrameHeaderIsTruncated() {
        byte[] jpeg = Fixtures.bytes("xray-gray.jpg");
        InvalidImageException e = assertThrows(InvalidImageException.class,
                () -> ImageHeader.read(Arrays.copyOf(jpeg, 40)));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void pngCutBeforeIhdrIsTruncated() {
        InvalidImageException e = assertThrows(InvalidImageException.class,
                () -> ImageHeader.read(Arrays.copyOf(pngHeader(10, 10), 20)));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void zeroDimensionsAreImpossible() {
        assertThrows(InvalidImageException.class, () -> ImageHeader.read(pngHeader(0, 10)));
        assertThrows(InvalidImageException.class, () -> ImageHeader.read(pngHeader(-1, 10)));
    }
}
