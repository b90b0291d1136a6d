package io.cxrpipeline.ingest;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.cxrpipeline.imaging.ImageHeaders;
import io.cxrpipeline.imaging.ImageHeaders.ImageInfo;

/**
 * Reads the head (and, for large objects, the tail) of an object with bounded ranged GETs and judges it:
 * format, dimensions, or the reason it cannot be used. Never reads or decodes the pixels.
 *
 * <p>Round trips: when the size is known (event, listing), an object of at most twice the head size is read in
 * one GET, and a larger one has its tail read in parallel with its head (both of the same version: the tail
 * read is conditional on the event's ETag, or checked against the head's). Only a header that needs more
 * bytes than the head costs another, sequential GET.
 */
public final class ObjectAnalyzer {

    /**
     * What an object is.
     *
     * @param info      the header, null when it could not be read
     * @param format    the recognised format, also for some rejections (e.g. DICOM), else null
     * @param rejection a {@link Reasons} string, or null
     * @param eTag      the ETag of the version read, without quotes
     * @param metadata  the user metadata of the version read
     * @param bytesRead bytes transferred
     */
    public record Analysis(boolean gone, ImageInfo info, String format, String rejection, long size, String eTag,
            Map<String, String> metadata, long bytesRead) {

        static Analysis gone(long bytesRead) {
            return new Analysis(true, null, null, null, 0, null, Map.of(), bytesRead);
        }
    }

    /** Tail reads made in parallel with head reads; daemon threads, created on demand, idle ones expire. */
    private static final ExecutorService TAIL_READS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tail-read");
        t.setDaemon(true);
        return t;
    });

    private final SourceObjects store;
    private final int headBytes;
    private final int tailBytes;
    private final int maxHeaderBytes;
    private final long maxPixels;

    /**
     * @param headBytes      bytes of the first ranged GET
     * @param tailBytes      bytes of the tail GET that checks the end marker
     * @param maxHeaderBytes how far a JPEG's segments may push its frame header before it is rejected
     * @param maxPixels      width × height above which an image is rejected
     */
    public ObjectAnalyzer(SourceObjects store, int headBytes, int tailBytes, int maxHeaderBytes, long maxPixels) {
        this.store = store;
        this.headBytes = headBytes;
        this.tailBytes = tailBytes;
        this.maxHeaderBytes = Math.max(maxHeaderBytes, headBytes);
        this.maxPixels = maxPixels;
    }

    /**
     * Judges one version of an object.
     *
     * @param eTag     the version to read (the event's or the listing's ETag), or null for whatever is there
     * @param sizeHint the size the event announced, or null; a zero-byte object is judged without a GET
     * @return the analysis; {@link Analysis#gone()} when the object no longer exists or has changed
     */
    public Analysis analyse(String bucket, String key, String eTag, Long sizeHint) {
        if (sizeHint != null && sizeHint == 0) {
            return new Analysis(false, null, null, Reasons.ZERO_BYTES, 0, eTag, Map.of(), 0);
        }
        boolean merged = sizeHint != null && sizeHint <= 2L * headBytes;
        Future<SourceObjects.Bytes> parallelTail = sizeHint != null && !merged
                ? TAIL_READS.submit(() -> store.readTail(bucket, key, eTag, tailBytes))
                : null;
        SourceObjects.Bytes head = store.read(bucket, key, eTag, 0,
                merged ? (int) Math.max(headBytes, sizeHint) : headBytes);
        if (head == null) {
            return Analysis.gone(0);
        }
        long read = head.bytes().length;
        // Later reads must see the same version as the first.
        String version = head.eTag() != null ? head.eTag() : eTag;
        long size = head.size();
        ImageHeaders.Result result = ImageHeaders.parse(head.bytes(), size);
        while (result.needsMore()) {
            int need = result.needBytes();
            if (need > maxHeaderBytes) {
                return rejected(result.format(),
                        Reasons.unsupportedFormat(result.format() + " with a header over " + maxHeaderBytes + " bytes"),
                        size, version, head, read);
            }
            int had = head.bytes().length;
            head = store.read(bucket, key, version, 0, need);
            if (head == null) {
                return Analysis.gone(read);
            }
            read += head.bytes().length;
            if (head.bytes().length <= had) {
                // the object is shorter than its listed size: the header cannot be completed
                return rejected(result.format(), truncated(result.format()), size, version, head, read);
            }
            result = ImageHeaders.parse(head.bytes(), size);
        }
        if (result.rejection() != null) {
            return rejected(result.format(), result.rejection(), size, version, head, read);
        }
        ImageInfo info = result.info();
        if (info.pixels() > maxPixels) {
            // keep the dimensions: they are the reason
            return new Analysis(false, info, info.format(), Reasons.tooManyPixels(info.width(), info.height(), maxPixels),
                    size, version, head.metadata(), read);
        }
        byte[] tail;
        if (head.bytes().length >= size) {
            tail = head.bytes();
        } else {
            SourceObjects.Bytes t = parallelTail == null ? null : join(parallelTail);
            if (t != null && version != null && version.equals(t.eTag())) {
                read += t.bytes().length;
                tail = t.bytes();
                return judged(info, tail, size, version, head, read);
            }
            // no parallel read, or one of another version (the object changed between the two GETs)
            t = store.readTail(bucket, key, version, tailBytes);
            if (t == null) {
                return Analysis.gone(read);
            }
            read += t.bytes().length;
            tail = t.bytes();
        }
        return judged(info, tail, size, version, head, read);
    }

    private static Analysis judged(ImageInfo info, byte[] tail, long size, String version, SourceObjects.Bytes head,
            long read) {
        String truncated = ImageHeaders.checkEnd(info.format(), tail);
        if (truncated != null) {
            return rejected(info.format(), truncated, size, version, head, read);
        }
        return new Analysis(false, info, info.format(), null, size, version, head.metadata(), read);
    }

    private static String truncated(String format) {
        return switch (format) {
            case ImageHeaders.JPEG -> Reasons.TRUNCATED_JPEG;
            case ImageHeaders.DICOM -> Reasons.TRUNCATED_DICOM;
            default -> Reasons.TRUNCATED_PNG;
        };
    }

    /** The parallel tail read; null when it found nothing (gone, or another version: read again in sequence). */
    private static SourceObjects.Bytes join(Future<SourceObjects.Bytes> tail) {
        try {
            return tail.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading an object's tail", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static Analysis rejected(String format, String reason, long size, String eTag, SourceObjects.Bytes head,
            long read) {
        return new Analysis(false, null, format, reason, size, eTag, head.metadata(), read);
    }
}
