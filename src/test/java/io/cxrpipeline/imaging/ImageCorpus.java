package io.cxrpipeline.imaging;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * The image kinds that reach the pipeline, made from smooth X-ray-like pictures: grayscale and colour JPEGs
 * (baseline, progressive, with restart markers, with an EXIF orientation, CMYK), PNGs of every colour type and depth
 * (palette, alpha, 16-bit). Ingest, predict and training must agree on each: decode it alike or refuse it.
 */
public final class ImageCorpus {

    private ImageCorpus() {
    }

    /** Name → bytes; the CMYK JPEG is the one that must be refused. */
    public static Map<String, byte[]> all() {
        Map<String, byte[]> c = new LinkedHashMap<>();
        c.put("gray.jpg", jpeg(gray8(640, 512), false, 0));
        c.put("gray-large.jpg", jpeg(gray8(2000, 1500), false, 0));
        c.put("rgb.jpg", jpeg(rgb(600, 480), false, 0));
        c.put("progressive.jpg", jpeg(gray8(700, 560), true, 0));
        c.put("restart-markers.jpg", jpeg(gray8(640, 480), false, 4));
        c.put("exif-rotated.jpg", withExifOrientation(jpeg(gray8(480, 640), false, 0), 6));
        c.put("cmyk.jpg", cmykJpeg(320, 256));
        c.put("gray.png", png(gray8(500, 400)));
        c.put("gray16.png", png(gray16(500, 400)));
        c.put("rgb.png", png(rgb(500, 400)));
        c.put("rgba.png", png(rgba(500, 400)));
        c.put("palette.png", png(palette(500, 400)));
        c.put("gray-small.png", png(gray8(100, 80)));
        return c;
    }

    /**
     * Grey sequential JPEGs that a 224 model decodes at each DCT scale (Pillow's draft rule: 1, 2, 4, 8), with and
     * without restart markers, at sizes that are and are not multiples of 8, at qualities 50, 90 and 100.
     */
    public static Map<String, byte[]> dctScaled() {
        Map<String, byte[]> c = new LinkedHashMap<>();
        c.put("scale1-300x300-q90.jpg", jpeg(gray8(300, 300), false, 0.9f, 0));
        c.put("scale1-449x230-q100-rst5.jpg", jpeg(gray8(449, 230), false, 1.0f, 5));
        c.put("scale2-600x500-q50.jpg", jpeg(gray8(600, 500), false, 0.5f, 0));
        c.put("scale2-457x461-q90-rst1.jpg", jpeg(gray8(457, 461), false, 0.9f, 1));
        c.put("scale4-1000x900-q100.jpg", jpeg(gray8(1000, 900), false, 1.0f, 0));
        c.put("scale4-1001x903-q50-rst7.jpg", jpeg(gray8(1001, 903), false, 0.5f, 7));
        c.put("scale8-2000x1900-q90.jpg", jpeg(gray8(2000, 1900), false, 0.9f, 0));
        c.put("scale8-1799x1795-q100-rst64.jpg", jpeg(gray8(1799, 1795), false, 1.0f, 64));
        return c;
    }

    /** A smooth chest-X-ray-like level in 0..1 at (x, y): gradients and soft blobs, no noise to alias. */
    static double level(int x, int y, int w, int h) {
        double u = (double) x / w;
        double v = (double) y / h;
        double lungs = Math.exp(-(Math.pow((u - 0.32) / 0.14, 2) + Math.pow((v - 0.5) / 0.3, 2)))
                + Math.exp(-(Math.pow((u - 0.68) / 0.14, 2) + Math.pow((v - 0.5) / 0.3, 2)));
        double ribs = 0.08 * Math.sin(v * 40 + u * 3);
        return Math.min(1, Math.max(0, 0.75 - 0.55 * lungs + ribs + 0.15 * v));
    }

    public static BufferedImage gray8(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster r = img.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                r.setSample(x, y, 0, (int) Math.round(255 * level(x, y, w, h)));
            }
        }
        return img;
    }

    static BufferedImage gray16(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster r = img.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                r.setSample(x, y, 0, (int) Math.round(65535 * level(x, y, w, h)));
            }
        }
        return img;
    }

    static BufferedImage rgb(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        WritableRaster r = img.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int g = (int) Math.round(255 * level(x, y, w, h));
                // A slightly tinted grey, as scanners and screenshots produce.
                r.setPixel(x, y, new int[] {Math.min(255, g + 6), g, Math.max(0, g - 6)});
            }
        }
        return img;
    }

    static BufferedImage rgba(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int g = (int) Math.round(255 * level(x, y, w, h));
                int a = x < w / 10 ? 0 : 255; // a transparent margin: both paths ignore alpha
                img.setRGB(x, y, (a << 24) | (g << 16) | (g << 8) | g);
            }
        }
        return img;
    }

    static BufferedImage palette(int w, int h) {
        byte[] r = new byte[256];
        byte[] g = new byte[256];
        byte[] b = new byte[256];
        for (int i = 0; i < 256; i++) {
            r[i] = (byte) Math.min(255, i + 4);
            g[i] = (byte) i;
            b[i] = (byte) Math.max(0, i - 4);
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(8, 256, r, g, b));
        WritableRaster raster = img.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.setSample(x, y, 0, (int) Math.round(255 * level(x, y, w, h)));
            }
        }
        return img;
    }

    static byte[] png(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, "png", out)) {
                throw new IllegalStateException("no PNG writer for " + img);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A baseline JPEG at quality 0.9, or a progressive one at the writer's default quality. */
    static byte[] jpeg(BufferedImage img, boolean progressive, int restartInterval) {
        return jpeg(img, progressive, progressive ? null : 0.9f, restartInterval);
    }

    /**
     * A JPEG written by ImageIO.
     *
     * @param quality         compression quality, null for the writer's default
     * @param restartInterval MCUs between restart markers, 0 for none
     */
    public static byte[] jpeg(BufferedImage img, boolean progressive, Float quality, int restartInterval) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(ios);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (progressive) {
                param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            }
            if (quality != null) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(quality);
            }
            IIOMetadata metadata = null;
            if (restartInterval > 0) {
                metadata = writer.getDefaultImageMetadata(new ImageTypeSpecifier(img), param);
                String format = "javax_imageio_jpeg_image_1.0";
                IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree(format);
                IIOMetadataNode markers = (IIOMetadataNode) root.getElementsByTagName("markerSequence").item(0);
                IIOMetadataNode dri = new IIOMetadataNode("dri");
                dri.setAttribute("interval", Integer.toString(restartInterval));
                markers.insertBefore(dri, markers.getFirstChild());
                metadata.setFromTree(format, root);
            }
            writer.write(null, new IIOImage(img, null, metadata), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** A four-component (CMYK) JPEG, written from a raster as print workflows do. */
    static byte[] cmykJpeg(int w, int h) {
        BufferedImage gray = gray8(w, h);
        WritableRaster cmyk = java.awt.image.Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE, w, h, 4,
                null);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int k = 255 - gray.getRaster().getSample(x, y, 0);
                cmyk.setPixel(x, y, new int[] {0, 0, 0, k});
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(null, new IIOImage(cmyk, null, null), writer.getDefaultWriteParam());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** Inserts an APP1 Exif segment with the given orientation tag right after SOI. */
    static byte[] withExifOrientation(byte[] jpeg, int orientation) {
        byte[] tiff = {'M', 'M', 0, 42, 0, 0, 0, 8, // big-endian TIFF header, IFD at 8
                0, 1, // one entry
                0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte) orientation, 0, 0, // Orientation, SHORT, 1
                0, 0, 0, 0}; // no next IFD
        byte[] exif = new byte[6 + tiff.length];
        System.arraycopy(new byte[] {'E', 'x', 'i', 'f', 0, 0}, 0, exif, 0, 6);
        System.arraycopy(tiff, 0, exif, 6, tiff.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        int length = exif.length + 2;
        out.write(0xFF);
        out.write(0xE1);
        out.write(length >> 8);
        out.write(length & 0xFF);
        out.write(exif, 0, exif.length);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }
}
