package io.cxrpipeline.inference;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

import io.cxrpipeline.imaging.dicom.DicomPixels;
import io.cxrpipeline.imaging.jpeg.CorruptJpegException;
import io.cxrpipeline.imaging.jpeg.GreyImage;
import io.cxrpipeline.imaging.jpeg.GreyJpegDecoder;

/**
 * Turns JPEG/PNG bytes (and DICOM, through {@link DicomPixels}) into the model's input floats: decode at reduced
 * resolution (grey sequential JPEGs by DCT scaling with {@link GreyJpegDecoder} at Pillow's {@code draft} scale, as
 * the training program decodes them; other images with ImageIO source subsampling, never below {@code oversample} x
 * the model size), resize with Pillow's antialiased bilinear filter (what torchvision's {@code Resize} does to the
 * PIL images the model was trained on), replicate grayscale to the model's channels and write
 * {@code (pixel * scale - mean) / std} straight into the input buffer.
 */
public final class ImagePreprocessor {

    static {
        // Decode from memory: no temporary files.
        ImageIO.setUseCache(false);
    }

    private final int oversample;

    /**
     * @param oversample for images decoded with ImageIO (all but grey sequential JPEGs): keep at least this many times
     *                   the model's input size when subsampling the decode; 0 decodes them at full resolution
     *                   (bit-exact with the training resize)
     */
    public ImagePreprocessor(int oversample) {
        if (oversample < 0) {
            throw new IllegalArgumentException("oversample must be >= 0");
        }
        this.oversample = oversample;
    }

    /**
     * An image decoded to 8-bit planes: one (gray) or three (R, G, B), each {@code width x height}, row-major.
     * {@code subsampleX/Y} say how many source pixels each decoded pixel stands for.
     */
    public record Planes(int width, int height, byte[][] planes, int subsampleX, int subsampleY) {
    }

    /**
     * Decodes the image for a model, at reduced resolution where the image is large.
     *
     * @param header the already-checked header (dimensions and format; for DICOM, the one {@link ImageHeader#read}
     *               gives, which carries the parsed DICOM header)
     * @throws InvalidImageException when the data is truncated, corrupt or of an unsupported kind
     */
    public Planes decode(byte[] bytes, ImageHeader header, Preprocessing p) {
        if (ImageHeader.DICOM.equals(header.format())) {
            return dicom(bytes, header);
        }
        if (ImageHeader.JPEG.equals(header.format())) {
            Planes grey = greyJpeg(bytes, header, p);
            if (grey != null) {
                return grey;
            }
        }
        int[] sub = subsampling(header.width(), header.height(), p);
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(header.format());
        if (!readers.hasNext()) {
            throw new IllegalStateException("no ImageIO reader for " + header.format());
        }
        ImageReader reader = readers.next();
        List<String> warnings = new ArrayList<>();
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(in, true, true);
            reader.addIIOReadWarningListener(new IIOReadWarningListener() {
                @Override
                public void warningOccurred(ImageReader source, String warning) {
                    warnings.add(warning);
                }
            });
            if (reader.getWidth(0) != header.width() || reader.getHeight(0) != header.height()) {
                throw new InvalidImageException("the image header is inconsistent: " + header.width() + "x"
                        + header.height() + " declared, " + reader.getWidth(0) + "x" + reader.getHeight(0) + " decoded");
            }
            ImageReadParam param = reader.getDefaultReadParam();
            param.setSourceSubsampling(sub[0], sub[1], 0, 0);
            BufferedImage image = reader.read(0, param);
            for (String w : warnings) {
                // libjpeg pads a truncated stream with grey and only warns: a truncated X-ray must not be scored.
                String lower = w.toLowerCase(java.util.Locale.ROOT);
                if (lower.contains("premature end") || lower.contains("truncated") || lower.contains("missing eoi")) {
                    throw new InvalidImageException("the " + header.format().toUpperCase(java.util.Locale.ROOT)
                            + " image is truncated (" + w + ")");
                }
            }
            return new Planes(image.getWidth(), image.getHeight(), planes(image), sub[0], sub[1]);
        } catch (InvalidImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new InvalidImageException("the " + header.format().toUpperCase(java.util.Locale.ROOT)
                    + " image cannot be decoded: it is truncated or corrupt (" + why + ")", e);
        } finally {
            reader.dispose();
        }
    }

    /**
     * A grey sequential JPEG decoded by DCT scaling at Pillow's {@code draft("L", (size, size))} scale: the samples
     * libjpeg-turbo gives the training program, which calls {@code draft} for the same images. Null for any other
     * JPEG (the decoder tells), which ImageIO decodes.
     */
    private static Planes greyJpeg(byte[] bytes, ImageHeader header, Preprocessing p) {
        int s = GreyJpegDecoder.draftScale(header.width(), header.height(), p.size());
        GreyImage image;
        try {
            image = GreyJpegDecoder.decode(bytes, s);
        } catch (CorruptJpegException e) {
            throw new InvalidImageException("the JPEG image cannot be decoded: it is truncated or corrupt ("
                    + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            // Defence in depth: whatever the bytes do to the decoder, the client hears about its image, not a 500.
            throw new InvalidImageException("the JPEG image cannot be decoded: it is truncated or corrupt ("
                    + e.getClass().getSimpleName() + ")", e);
        }
        if (image == null) {
            return null;
        }
        if (image.width() != (header.width() + s - 1) / s || image.height() != (header.height() + s - 1) / s) {
            throw new InvalidImageException("the image header is inconsistent: " + header.width() + "x"
                    + header.height() + " declared, " + image.width() + "x" + image.height() + " decoded at 1/" + s);
        }
        return new Planes(image.width(), image.height(), new byte[][] {image.pixels()}, s, s);
    }

    /**
     * A DICOM image at full resolution through {@link DicomPixels}: the grey image the training program makes with
     * pydicom, so the resize that follows matches training's exactly.
     */
    private static Planes dicom(byte[] bytes, ImageHeader header) {
        try {
            byte[] grey = DicomPixels.grey(bytes, header.dicom());
            return new Planes(header.width(), header.height(), new byte[][] {grey}, 1, 1);
        } catch (IllegalArgumentException e) {
            throw new InvalidImageException("the DICOM image cannot be decoded: " + e.getMessage(), e);
        }
    }

    /** ImageIO source subsampling (x, y) for an image of the given size, keeping oversample x the model size. */
    int[] subsampling(int width, int height, Preprocessing p) {
        if (oversample == 0) {
            return new int[] {1, 1};
        }
        long keep = (long) oversample * p.size();
        if (p.resize() == Preprocessing.Resize.CENTER_CROP) {
            // Same factor on both axes: the crop geometry depends on the aspect ratio.
            int s = (int) Math.max(1, Math.min(width, height) / keep);
            return new int[] {s, s};
        }
        return new int[] {(int) Math.max(1, width / keep), (int) Math.max(1, height / keep)};
    }

    /**
     * Resizes the decoded image to the model size and writes image {@code index} of the batch into the buffer,
     * at absolute positions (the buffer's position is not used or moved).
     *
     * @param sourceWidth  the image's full width (before subsampling): the crop geometry uses the true aspect
     * @param sourceHeight the image's full height
     */
    public void write(Planes img, int sourceWidth, int sourceHeight, Preprocessing p, FloatBuffer out, int index) {
        byte[][] src = img.planes();
        if (p.channels() == 1 && src.length == 3) {
            src = new byte[][] {luminance(src)};
        }
        int s = p.size();
        byte[][] resized = new byte[src.length][];
        if (p.resize() == Preprocessing.Resize.STRETCH) {
            PilResize.Coefficients h = PilResize.coefficients(img.width(), s);
            PilResize.Coefficients v = PilResize.coefficients(img.height(), s);
            for (int c = 0; c < src.length; c++) {
                resized[c] = PilResize.resize(src[c], img.width(), img.height(), s, s, h, v);
            }
        } else {
            // torchvision Resize(s): shorter side to s, longer to int(s * long / short); then CenterCrop(s).
            int newW;
            int newH;
            if (sourceWidth <= sourceHeight) {
                newW = s;
                newH = (int) ((long) s * sourceHeight / sourceWidth);
            } else {
                newH = s;
                newW = (int) ((long) s * sourceWidth / sourceHeight);
            }
            int top = (int) Math.rint((newH - s) / 2.0);
            int left = (int) Math.rint((newW - s) / 2.0);
            PilResize.Coefficients h = PilResize.coefficients(img.width(), newW);
            PilResize.Coefficients v = PilResize.coefficients(img.height(), newH);
            for (int c = 0; c < src.length; c++) {
                byte[] full = PilResize.resize(src[c], img.width(), img.height(), newW, newH, h, v);
                byte[] crop = new byte[s * s];
                for (int y = 0; y < s; y++) {
                    System.arraycopy(full, (top + y) * newW + left, crop, y * s, s);
                }
                resized[c] = crop;
            }
        }
        int channels = p.channels();
        float[][] lut = new float[channels][256];
        for (int c = 0; c < channels; c++) {
            for (int v = 0; v < 256; v++) {
                lut[c][v] = (v * p.scale() - p.mean()[c]) / p.std()[c];
            }
        }
        int area = s * s;
        int base = index * area * channels;
        if (p.layout() == Preprocessing.Layout.NCHW) {
            for (int c = 0; c < channels; c++) {
                byte[] plane = resized[resized.length == 1 ? 0 : c];
                float[] l = lut[c];
                int off = base + c * area;
                for (int i = 0; i < area; i++) {
                    out.put(off + i, l[plane[i] & 0xff]);
                }
            }
        } else {
            for (int i = 0; i < area; i++) {
                int off = base + i * channels;
                for (int c = 0; c < channels; c++) {
                    out.put(off + c, lut[c][resized[resized.length == 1 ? 0 : c][i] & 0xff]);
                }
            }
        }
    }

    /** Pillow's {@code convert("L")}: ITU-R 601-2 luma in 16-bit fixed point. */
    static byte[] luminance(byte[][] rgb) {
        byte[] r = rgb[0];
        byte[] g = rgb[1];
        byte[] b = rgb[2];
        byte[] out = new byte[r.length];
        for (int i = 0; i < r.length; i++) {
            out[i] = (byte) (((r[i] & 0xff) * 19595 + (g[i] & 0xff) * 38470 + (b[i] & 0xff) * 7471 + 0x8000) >> 16);
        }
        return out;
    }

    /** 8-bit planes of a decoded image: gray stays one plane, colour becomes R, G, B; alpha is dropped. */
    static byte[][] planes(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        Raster raster = image.getRaster();
        if (image.getColorModel() instanceof IndexColorModel) {
            return fromRgb(image, w, h); // palette PNG: Pillow's convert("RGB") expands the palette too
        }
        int type = image.getColorModel().getColorSpace().getType();
        int bands;
        if (type == ColorSpace.TYPE_GRAY) {
            bands = 1;
        } else if (type == ColorSpace.TYPE_RGB && raster.getNumBands() >= 3) {
            bands = 3;
        } else {
            throw new InvalidImageException("unsupported colour space (only grayscale and RGB images are served)");
        }
        byte[][] planes = new byte[bands][];
        DataBuffer db = raster.getDataBuffer();
        if (raster.getSampleModel() instanceof ComponentSampleModel sm && db.getNumBanks() == 1
                && raster.getSampleModelTranslateX() == 0 && raster.getSampleModelTranslateY() == 0
                && (db instanceof DataBufferByte || db instanceof DataBufferUShort)) {
            int ps = sm.getPixelStride();
            int ls = sm.getScanlineStride();
            int[] offsets = sm.getBandOffsets();
            int dbOff = db.getOffset();
            for (int c = 0; c < bands; c++) {
                int bo = dbOff + offsets[c];
                if (db instanceof DataBufferByte bb) {
                    byte[] data = bb.getData();
                    if (ps == 1 && ls == w && bo == 0 && bands == 1 && data.length == w * h) {
                        planes[c] = data; // the common gray case: the raster is the plane
                        continue;
                    }
                    byte[] plane = new byte[w * h];
                    for (int y = 0; y < h; y++) {
                        int in = bo + y * ls;
                        int o = y * w;
                        for (int x = 0; x < w; x++) {
                            plane[o + x] = data[in + x * ps];
                        }
                    }
                    planes[c] = plane;
                } else {
                    // 16-bit PNG: keep the high byte.
                    short[] data = ((DataBufferUShort) db).getData();
                    byte[] plane = new byte[w * h];
                    for (int y = 0; y < h; y++) {
                        int in = bo + y * ls;
                        int o = y * w;
                        for (int x = 0; x < w; x++) {
                            plane[o + x] = (byte) ((data[in + x * ps] & 0xffff) >> 8);
                        }
                    }
                    planes[c] = plane;
                }
            }
            return planes;
        }
        int[] samples = new int[w * h];
        for (int c = 0; c < bands; c++) {
            int bits = raster.getSampleModel().getSampleSize(c);
            raster.getSamples(0, 0, w, h, c, samples);
            byte[] plane = new byte[w * h];
            for (int i = 0; i < plane.length; i++) {
                // Deeper samples keep their high byte; shallower ones (1, 2, 4-bit gray) stretch to 0..255.
                plane[i] = (byte) (bits >= 8 ? samples[i] >> (bits - 8) : samples[i] * 255 / ((1 << bits) - 1));
            }
            planes[c] = plane;
        }
        return planes;
    }

    private static byte[][] fromRgb(BufferedImage image, int w, int h) {
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        byte[][] planes = {new byte[w * h], new byte[w * h], new byte[w * h]};
        for (int i = 0; i < argb.length; i++) {
            planes[0][i] = (byte) (argb[i] >> 16);
            planes[1][i] = (byte) (argb[i] >> 8);
            planes[2][i] = (byte) argb[i];
        }
        return planes;
    }
}
